package dev.sluice.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Sluice's domain metrics, one intention-revealing method per thing that happened. Names follow
 * Prometheus conventions once exported ({@code sluice_} prefix, base units, {@code _total}
 * counters); labels are bounded: provider, outcome, action, result, status, check. No label holds a
 * batch id. The provider is the generator kind of this process ({@code simulated}).
 *
 * <p>Rate-limit waits and the circuit-breaker state are in {@link #providerLimits}.
 */
public final class SluiceMetrics {

  private static final String PROVIDER = "provider";

  private final MeterRegistry registry;
  private final String provider;
  private final Counter dispatched;
  private final Counter succeeded;
  private final Counter failed;
  private final Counter retried;
  private final Counter cancelled;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Timer queueWait;
  private final Map<String, Timer> generations = new ConcurrentHashMap<>();
  private final Timer snapshotWrites;
  private final DistributionSummary commitSizes;
  private final Map<String, Counter> controls = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> batches = new ConcurrentHashMap<>();
  private final AtomicLong runningIdleMillis = new AtomicLong();
  private final AtomicLong recoveryMillis = new AtomicLong();
  private final AtomicInteger recoveredBatches = new AtomicInteger();
  private final ProviderLimits limits;
  private final AtomicInteger ready = new AtomicInteger();
  private volatile IntSupplier withoutRunner = () -> 0;
  private final Map<String, AtomicLong> checks = new ConcurrentHashMap<>();

  public SluiceMetrics(MeterRegistry registry, String provider) {
    this.registry = registry;
    this.provider = provider;
    dispatched = items("dispatched", "Attempts sent to the provider.");
    succeeded = items("succeeded", "Items whose result was stored as succeeded.");
    failed = items("failed", "Items stored as failed: no attempts left, or not retryable.");
    retried = items("retried", "Attempts that failed and put their item back for another try.");
    cancelled = items("cancelled", "Items stored as cancelled.");
    Gauge.builder("sluice.items.in.flight", inFlight, AtomicInteger::get)
        .description("Generator calls in progress.")
        .tag(PROVIDER, provider)
        .register(registry);
    queueWait =
        Timer.builder("sluice.queue.wait")
            .description("Time an item waited in its runner's queue, ready, before dispatch.")
            .tag(PROVIDER, provider)
            .serviceLevelObjectives(
                millis(1, 5, 10, 50, 100, 500, 1_000, 5_000, 10_000, 30_000, 60_000, 300_000))
            .register(registry);
    snapshotWrites =
        Timer.builder("sluice.snapshot.write")
            .description("Latency of one stored commit of a batch: its snapshot and item results.")
            .serviceLevelObjectives(
                millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000))
            .register(registry);
    commitSizes =
        DistributionSummary.builder("sluice.group.commit.items")
            .description("Item results written by one group commit (commits with results only).")
            .serviceLevelObjectives(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000)
            .register(registry);
    Gauge.builder("sluice.running.batches.max.idle", runningIdleMillis, m -> m.get() / 1000.0)
        .description("Longest time a running batch has gone without a stored change; 0 if none.")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("sluice.recovery.duration", recoveryMillis, m -> m.get() / 1000.0)
        .description("How long start-up recovery took.")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("sluice.recovered.batches", recoveredBatches, AtomicInteger::get)
        .description("Batches whose runners start-up recovery redeployed.")
        .register(registry);
    limits = new ProviderLimits(registry, provider);
    Gauge.builder("sluice.ready", ready, AtomicInteger::get)
        .description("1 while every readiness check is up, else 0.")
        .register(registry);
    Gauge.builder("sluice.batches.without.runner", this, m -> m.withoutRunner.getAsInt())
        .description("Live batches of this node that have no runner now and are being recovered.")
        .register(registry);
  }

  /** An item left its runner's queue for the provider, after waiting this long ready. */
  public void itemDispatched(Duration waited) {
    dispatched.increment();
    inFlight.incrementAndGet();
    queueWait.record(waited);
  }

  /** A generator call ended, with {@code success} or the kind of failure as the outcome. */
  public void generationEnded(Duration latency, String outcome) {
    inFlight.decrementAndGet();
    generations.computeIfAbsent(outcome, this::generationTimer).record(latency);
  }

  /** One commit stored these item outcomes; retried items went back to pending. */
  public void itemsSettled(int succeededNow, int failedNow, int retriedNow, int cancelledNow) {
    succeeded.increment(succeededNow);
    failed.increment(failedNow);
    retried.increment(retriedNow);
    cancelled.increment(cancelledNow);
  }

  /** A batch's commit was stored, carrying this many item results. */
  public void snapshotWritten(Duration latency, int results) {
    snapshotWrites.record(latency);
    if (results > 0) {
      commitSizes.record(results);
    }
  }

  /**
   * A control request was answered: {@code accepted}, {@code conflict} (409), {@code not_found},
   * {@code unavailable} or {@code error}.
   */
  public void controlAnswered(String action, String result) {
    controls
        .computeIfAbsent(
            action + "/" + result,
            k ->
                Counter.builder("sluice.control.requests")
                    .description("Control requests (pause, resume, cancel, retry-failed) answered.")
                    .tag("action", action)
                    .tag("result", result)
                    .register(registry))
        .increment();
  }

  /** How many live members this node sees in its cluster (1 when it runs alone). */
  public void clusterMembers(String node, IntSupplier count) {
    Gauge.builder("sluice.cluster.members", count, c -> c.getAsInt())
        .description("Live members of the cluster as this node sees them; 1 when it runs alone")
        .tag("node", node)
        .register(registry);
  }

  /** Reports the live batches of this node that wait for a runner (recovery in progress). */
  public void batchesWithoutRunner(IntSupplier count) {
    withoutRunner = count;
  }

  /** Start-up recovery finished, having redeployed this many batches. */
  public void recovered(Duration took, int batchCount) {
    recoveryMillis.set(took.toMillis());
    recoveredBatches.set(batchCount);
  }

  /** The batches stored now, by status, and the longest a running one has gone unchanged. */
  public void batches(Map<String, Long> byStatus, Duration longestRunningIdle) {
    byStatus.forEach((status, n) -> batchGauge(status).set(n));
    runningIdleMillis.set(longestRunningIdle.toMillis());
  }

  /** The readiness checks just ran with these results. */
  public void readiness(Map<String, Boolean> results) {
    ready.set(results.values().stream().allMatch(Boolean::booleanValue) ? 1 : 0);
    results.forEach((check, up) -> checkGauge(check).set(up ? 1 : 0));
  }

  /** Where the provider gate and the provider report waits and the circuit's state. */
  public ProviderLimits providerLimits() {
    return limits;
  }

  private Counter items(String what, String description) {
    return Counter.builder("sluice.items." + what)
        .description(description)
        .tag(PROVIDER, provider)
        .register(registry);
  }

  private Timer generationTimer(String outcome) {
    return Timer.builder("sluice.generation.duration")
        .description("Latency of one generator call, by how it ended.")
        .tag(PROVIDER, provider)
        .tag("outcome", outcome)
        .serviceLevelObjectives(
            millis(10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000))
        .register(registry);
  }

  private AtomicLong batchGauge(String status) {
    return gauge(batches, "sluice.batches", "Stored batches by status.", "status", status);
  }

  private AtomicLong checkGauge(String check) {
    return gauge(
        checks,
        "sluice.readiness.check",
        "1 while this readiness check is up, else 0.",
        "check",
        check);
  }

  /** The gauge of one tag value, registered the first time it is asked for. */
  private AtomicLong gauge(
      Map<String, AtomicLong> known, String name, String description, String tag, String value) {
    return known.computeIfAbsent(
        value,
        v -> {
          AtomicLong state = new AtomicLong();
          Gauge.builder(name, state, AtomicLong::get)
              .description(description)
              .tag(tag, v)
              .register(registry);
          return state;
        });
  }

  private static Duration[] millis(long... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofMillis(values[i]);
    }
    return out;
  }
}
