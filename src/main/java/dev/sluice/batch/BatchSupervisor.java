package dev.sluice.batch;

import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import dev.sluice.generate.Generator;
import dev.sluice.generate.ProviderGate;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link BatchVerticle} deployed for every live batch this node owns: at start-up it
 * claims and redeploys every batch that needs a runner, it launches new and reopened batches,
 * renews the node's leases, and takes a batch back (with a new epoch, after a backoff) when its
 * runner lost it.
 */
public final class BatchSupervisor implements BatchVerticle.Listener {

  private static final Logger log = LoggerFactory.getLogger(BatchSupervisor.class);

  private final Vertx vertx;
  private final BatchRepository repository;
  private final Generator generator;
  private final ProviderGate gate;
  private final BatchSettings settings;
  private final SluiceMetrics metrics;
  private final Map<UUID, String> live = new ConcurrentHashMap<>();
  private final Map<UUID, Integer> failures = new ConcurrentHashMap<>();
  private volatile boolean recovered;
  private long renewTimer = -1;

  public BatchSupervisor(
      Vertx vertx,
      BatchRepository repository,
      Generator generator,
      ProviderGate gate,
      BatchSettings settings,
      SluiceMetrics metrics) {
    this.vertx = vertx;
    this.repository = repository;
    this.generator = generator;
    this.gate = gate;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Claims every batch that needs a runner on this node and deploys one for each. */
  public Future<Integer> recoverAll() {
    long start = System.nanoTime();
    return repository
        .claimForRecovery(settings.nodeId(), leaseMillis(), null)
        .compose(this::deployAll)
        .onSuccess(
            n -> {
              metrics.recovered(Duration.ofNanos(System.nanoTime() - start), n);
              recovered = true;
              renewTimer = vertx.setPeriodic(Math.max(1000, leaseMillis() / 3), t -> renew());
            });
  }

  /** Whether start-up recovery has finished. */
  public boolean recovered() {
    return recovered;
  }

  /** How many batches run on this node now. */
  public int liveCount() {
    return live.size();
  }

  /** Stops renewing leases; the verticles stop with Vert.x. */
  public void close() {
    if (renewTimer >= 0) {
      vertx.cancelTimer(renewTimer);
    }
  }

  private Future<Integer> deployAll(List<BatchRecord> records) {
    List<Future<Void>> deployed =
        records.stream().filter(r -> !r.status().isTerminal()).map(this::launch).toList();
    return Future.join(deployed).map(deployed.size());
  }

  /** Deploys the runner of a batch this node holds the lease of. */
  public Future<Void> launch(BatchRecord record) {
    if (live.containsKey(record.id())) {
      return Future.succeededFuture();
    }
    return vertx
        .deployVerticle(
            new BatchVerticle(
                record,
                repository,
                generator,
                gate,
                settings,
                this,
                new BatchMeter(metrics, record.snapshot())))
        .onSuccess(deploymentId -> live.put(record.id(), deploymentId))
        .onFailure(
            e ->
                log.atError()
                    .addKeyValue("batch", record.id())
                    .setCause(e)
                    .log("The batch's runner could not start"))
        .mapEmpty();
  }

  @Override
  public void ended(UUID batchId, String deploymentId, boolean lost) {
    live.remove(batchId, deploymentId);
    vertx
        .undeploy(deploymentId)
        .onFailure(
            e -> log.atDebug().addKeyValue("batch", batchId).log("Undeploy: {}", e.getMessage()));
    if (lost) {
      int n = failures.merge(batchId, 1, Integer::sum);
      long delay = Math.min(60_000L, 500L << Math.min(n, 7));
      log.atWarn()
          .addKeyValue("batch", batchId)
          .log("The batch will be recovered in {} ms (attempt {})", delay, n);
      vertx.setTimer(delay, t -> reclaim(batchId));
    } else {
      failures.remove(batchId);
    }
  }

  private void reclaim(UUID batchId) {
    repository
        .claimForRecovery(settings.nodeId(), leaseMillis(), batchId)
        .compose(this::deployAll)
        .onFailure(
            e -> {
              log.atWarn()
                  .addKeyValue("batch", batchId)
                  .log("Recovering the batch failed: {}", e.getMessage());
              ended(batchId, "", true);
            });
  }

  /**
   * Answers a control request for a batch no runner is listening for: a terminal batch answers from
   * its stored state, and retry-failed reopens it; a live batch without a runner is being
   * recovered, so the caller should try again.
   */
  Future<ControlResult> controlDormant(BatchRecord current, BatchCommand command) {
    if (!current.status().isTerminal()) {
      return Future.succeededFuture(
          new ControlResult.Unavailable("The batch is being recovered; try again in a moment."));
    }
    Decision d = BatchMachine.decide(current.snapshot(), command);
    if (d instanceof Rejected r) {
      return Future.succeededFuture(new ControlResult.Refused(r.current(), r.detail()));
    }
    Accepted accepted = (Accepted) d;
    return repository
        .reopen(current, accepted, settings.nodeId(), leaseMillis())
        .compose(
            reopened -> {
              if (reopened.isEmpty()) {
                return Future.succeededFuture(
                    new ControlResult.Unavailable("The batch changed meanwhile; try again."));
              }
              BatchChanges.publish(
                  vertx, reopened.get().snapshot(), List.of(accepted.transition()));
              return launch(reopened.get())
                  .map(new ControlResult.Done(BatchViews.batch(reopened.get())));
            });
  }

  private void renew() {
    repository
        .renewLeases(settings.nodeId(), leaseMillis())
        .onFailure(e -> log.warn("Lease renewal failed: {}", e.getMessage()));
  }

  private long leaseMillis() {
    return settings.leaseTtl().toMillis();
  }
}
