package dev.sluice.batch;

import dev.sluice.generate.Generator;
import dev.sluice.generate.ProviderGate;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link BatchVerticle} deployed for every live batch this node owns: at start-up it
 * claims and redeploys every batch that needs a runner, it launches new and reopened batches,
 * renews the node's leases, and takes a batch back (with a new epoch) whenever it has no runner —
 * because its runner lost it (a failed or fenced write), its runner could not start, or the lease
 * renewal finds a batch of this node that nobody runs. Recovery keeps trying, with a capped
 * backoff, until it succeeds; batches waiting for it are counted in {@link Orphans}.
 */
public final class BatchSupervisor implements BatchVerticle.Listener {

  private static final Logger log = LoggerFactory.getLogger(BatchSupervisor.class);
  private static final long SWEEP_MS = 250;

  /** A batch without a runner for longer than this makes the node not ready. */
  static final Duration STUCK_AFTER = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final BatchStore store;
  private final Membership membership;
  private final LeaseClock leaseClock;
  private final BatchSettings settings;
  private final SluiceMetrics metrics;
  private final RunnerParts parts;
  private final RunnerStarts starts;
  private final LeaseRenewal renewal;
  private final Map<UUID, Runner> live = new ConcurrentHashMap<>();
  private final Orphans orphans = new Orphans();
  private final Set<UUID> claiming = ConcurrentHashMap.newKeySet();
  private volatile boolean recovered;
  private volatile boolean closed;
  private long renewTimer = -1;
  private long sweepTimer = -1;
  private long watchTimer = -1;

  /** A runner, deployed or waiting to be, and its deployment. */
  private record Runner(BatchVerticle verticle, Promise<String> deployment, long epoch) {}

  public BatchSupervisor(
      Vertx vertx,
      BatchStore store,
      Generator generator,
      ProviderGate gate,
      BatchSettings settings,
      SluiceMetrics metrics,
      Membership membership) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.metrics = metrics;
    this.membership = membership;
    this.leaseClock = new LeaseClock(settings.leaseTtl(), this::wakeAll);
    this.parts =
        new RunnerParts(
            store, generator, gate, settings, leaseClock, new MarkGroups(vertx, store.writes()));
    this.starts =
        new RunnerStarts(vertx, store.reads(), settings, this::deployStarted, () -> closed);
    this.renewal = new LeaseRenewal(store, settings, leaseClock, new Renewed());
    metrics.batchesWithoutRunner(orphans::count);
  }

  /**
   * Claims every batch that needs a runner on this node and starts one for each; completes once
   * every runner has started. The node counts as recovered (ready) as soon as the claims are stored
   * and every runner is registered: a control for a batch whose runner is still starting answers
   * 503 with {@code Retry-After}, as for any batch being recovered.
   */
  public Future<Integer> recoverAll() {
    long start = System.nanoTime();
    return store
        .leases()
        .claimForRecovery(settings.nodeId(), leaseMillis(), null)
        // Every batch this node owns, claimed at start-up: as good as a renewal.
        .onSuccess(claimed -> leaseClock.renewed(start))
        .map(this::registerAll)
        .onSuccess(
            runners -> {
              recovered = true;
              renewTimer =
                  vertx.setPeriodic(Math.max(1000, leaseMillis() / 3), t -> renewal.renew());
              sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> sweep());
              RunnerWatch watch =
                  new RunnerWatch(
                      () ->
                          live.values().stream().<Runnable>map(r -> r.verticle()::watch).toList());
              watchTimer = vertx.setPeriodic(RunnerWatch.tickMillis(), t -> watch.tick());
            })
        .compose(runners -> starts.start(runners).map(runners.size()))
        .onSuccess(n -> metrics.recovered(Duration.ofNanos(System.nanoTime() - start), n));
  }

  /** Whether start-up recovery has claimed every batch and registered its runner. */
  public boolean recovered() {
    return recovered;
  }

  /**
   * Whether every batch of this node has had a runner within {@link #STUCK_AFTER}: fails, saying
   * which batch waits and why, when recovery has kept failing that long.
   */
  public Future<String> runnersCheck() {
    return orphans.check(starts.pending(), STUCK_AFTER, System.currentTimeMillis());
  }

  /** Stops renewing leases and recovering batches; the verticles stop with Vert.x. */
  public void close() {
    closed = true;
    if (renewTimer >= 0) {
      vertx.cancelTimer(renewTimer);
    }
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (watchTimer >= 0) {
      vertx.cancelTimer(watchTimer);
    }
  }

  /**
   * Starts a runner for each live batch of these, claimed by this node, through the node's start
   * queue ({@link RunnerStarts}); completes with their number once they have started.
   */
  Future<Integer> deployAll(List<BatchRecord> records) {
    List<BatchVerticle> runners = registerAll(records);
    return starts.start(runners).map(runners.size());
  }

  /**
   * Deploys a runner for each live batch of these at once, outside the start queue: a batch another
   * node placed here starts as promptly as one created here.
   */
  Future<Integer> launchAll(List<BatchRecord> records) {
    List<Future<Void>> launched =
        records.stream().filter(r -> !r.status().isTerminal()).map(this::launch).toList();
    return Future.join(launched).map(launched.size());
  }

  /**
   * Registers a runner for each live batch of these that has none here yet, oldest batch first: the
   * order in which {@link RunnerStarts} starts them.
   */
  private List<BatchVerticle> registerAll(List<BatchRecord> records) {
    List<BatchRecord> oldestFirst = new ArrayList<>(records);
    oldestFirst.sort(Comparator.comparing(BatchRecord::createdAt).thenComparing(BatchRecord::id));
    List<BatchVerticle> out = new ArrayList<>(records.size());
    for (BatchRecord r : oldestFirst) {
      if (!r.status().isTerminal()) {
        BatchVerticle v = register(r);
        if (v != null) {
          out.add(v);
        }
      }
    }
    return out;
  }

  /**
   * Deploys the runner of a batch this node holds the lease of, at once (a new or reopened batch).
   */
  public Future<Void> launch(BatchRecord record) {
    BatchVerticle verticle = register(record);
    return verticle == null ? Future.succeededFuture() : deploy(verticle).mapEmpty();
  }

  /**
   * Registers the batch's runner, unless it has one: a runner is registered before it deploys, so a
   * runner that ends while still starting is never mistaken for a live one, and a control meanwhile
   * finds the batch being recovered rather than without a runner.
   */
  private @Nullable BatchVerticle register(BatchRecord record) {
    BatchVerticle verticle =
        new BatchVerticle(record, parts, this, new BatchMeter(metrics, record.snapshot()));
    if (live.putIfAbsent(record.id(), new Runner(verticle, Promise.promise(), record.epoch()))
        != null) {
      return null;
    }
    orphans.settled(record.id());
    return verticle;
  }

  /** Deploys, then waits for its first look at its batch: one start of {@link RunnerStarts}. */
  private Future<Void> deployStarted(BatchVerticle verticle) {
    return deploy(verticle)
        .compose(deployed -> deployed ? verticle.firstLook() : Future.succeededFuture());
  }

  /** Deploys a registered runner; false if it ended, or the node stops, before its turn came. */
  private Future<Boolean> deploy(BatchVerticle verticle) {
    UUID id = verticle.record().id();
    Runner runner = live.get(id);
    if (runner == null || runner.verticle() != verticle || closed) {
      return Future.succeededFuture(false);
    }
    vertx.deployVerticle(verticle).onComplete(runner.deployment());
    return runner
        .deployment()
        .future()
        .onSuccess(
            d -> {
              if (closed) {
                verticle.drain();
              }
            })
        .onFailure(
            e -> {
              live.remove(id, runner);
              log.atError()
                  .addKeyValue("batch", id)
                  .setCause(e)
                  .log("The batch's runner could not start");
              orphans.lost(id, System.currentTimeMillis(), "its runner could not start: " + e);
            })
        .map(true);
  }

  @Override
  public void ended(UUID batchId, BatchVerticle verticle, boolean lost, String why) {
    Runner runner = live.get(batchId);
    if (runner != null && runner.verticle() == verticle) {
      live.remove(batchId, runner);
      runner
          .deployment()
          .future()
          .compose(vertx::undeploy)
          .onFailure(
              e -> log.atDebug().addKeyValue("batch", batchId).log("Undeploy: {}", e.getMessage()));
    }
    if (lost && !closed) {
      log.atWarn().addKeyValue("batch", batchId).log("The batch will be recovered: {}", why);
      orphans.lost(batchId, System.currentTimeMillis(), why);
    }
  }

  /** Tries every recovery that is due; each batch has at most one claim in flight. */
  private void sweep() {
    long now = System.currentTimeMillis();
    for (UUID id : orphans.due(now)) {
      if (!live.containsKey(id) && claiming.add(id)) {
        reclaim(id);
      } else if (live.containsKey(id)) {
        orphans.settled(id);
      }
    }
  }

  private void reclaim(UUID batchId) {
    int attempts = orphans.get(batchId).map(Orphans.Orphan::attempts).orElse(0);
    long started = System.nanoTime();
    store
        .leases()
        .claimForRecovery(settings.nodeId(), leaseMillis(), batchId)
        .onSuccess(claimed -> leaseClock.claimed(started, claimed.size()))
        .compose(this::deployAll)
        .onComplete(
            ar -> {
              claiming.remove(batchId);
              if (ar.succeeded()) {
                if (ar.result() == 0) {
                  // Nothing to run here (finished, or another node holds it); a launched runner
                  // settled it itself, and may since have lost it again.
                  orphans.settled(batchId);
                }
                log.atInfo()
                    .addKeyValue("batch", batchId)
                    .log("The batch was recovered after {} failed attempts", attempts);
                return;
              }
              String why = String.valueOf(ar.cause().getMessage());
              orphans.failed(batchId, System.currentTimeMillis(), why);
              Orphans.Orphan o = orphans.get(batchId).orElse(null);
              log.atWarn()
                  .addKeyValue("batch", batchId)
                  .log(
                      "Recovering the batch failed (attempt {}), next try in {} ms: {}",
                      o == null ? 0 : o.attempts(),
                      o == null ? 0 : Math.max(0, o.due() - System.currentTimeMillis()),
                      why);
            });
  }

  /** Asks for the batch to be recovered soon: a control found no runner for a live batch. */
  void recoverSoon(UUID batchId, String why) {
    if (!live.containsKey(batchId) && !closed) {
      orphans.lost(batchId, System.currentTimeMillis(), why);
    }
  }

  /** The node's runners as the lease renewal sees them. */
  private final class Renewed implements LeaseRenewal.Runners {
    @Override
    public Map<UUID, LeaseRenewal.Held> held() {
      Map<UUID, LeaseRenewal.Held> out = new HashMap<>();
      live.forEach((id, r) -> out.put(id, new LeaseRenewal.Held(r.verticle(), r.epoch())));
      return out;
    }

    @Override
    public boolean stillRuns(UUID batchId, BatchVerticle runner) {
      Runner r = live.get(batchId);
      return r != null && r.verticle() == runner;
    }

    @Override
    public boolean accountedFor(UUID batchId) {
      return live.containsKey(batchId) || orphans.contains(batchId) || claiming.contains(batchId);
    }

    @Override
    public void noRunner(UUID batchId, String why) {
      orphans.lost(batchId, System.currentTimeMillis(), why);
    }
  }

  /** The runners of this node and the epochs they hold. */
  Map<UUID, BatchVerticle> runners() {
    Map<UUID, BatchVerticle> out = new HashMap<>();
    live.forEach((id, r) -> out.put(id, r.verticle()));
    return out;
  }

  /** The epoch this node's runner of the batch holds, if it runs one. */
  Optional<Long> epochOf(UUID batchId) {
    return Optional.ofNullable(live.get(batchId)).map(Runner::epoch);
  }

  /** The lease clock: a claim that started at {@code startedNanos} took {@code batches}. */
  void leasesTaken(long startedNanos, int batches) {
    leaseClock.claimed(startedNanos, batches);
  }

  /** The node's leases hold again after they ran out: its runners look at their batches again. */
  private void wakeAll() {
    live.values().forEach(r -> r.verticle().wake());
  }

  /** Stops recovering batches (the node is handing them over); renewal goes on until close. */
  void stopRecovering() {
    closed = true;
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
  }

  Membership membership() {
    return membership;
  }

  /**
   * Whether this node's own view of the cluster can be trusted to say which owners are gone: not
   * while its leases have lapsed, nor for two leases after while it sees itself alone (it was
   * frozen or cut off, and may see itself alone until the cluster heals); see {@link
   * LeaseClock#trustsView}.
   */
  boolean membershipTrusted() {
    return leaseClock.trustsView(membership.nodes().size(), 2 * settings.leaseTtl().toNanos());
  }

  private long leaseMillis() {
    return settings.leaseTtl().toMillis();
  }
}
