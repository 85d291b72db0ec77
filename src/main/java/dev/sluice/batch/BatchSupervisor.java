package dev.sluice.batch;

import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import dev.sluice.generate.Generator;
import dev.sluice.generate.ProviderGate;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
  private final Map<UUID, Runner> live = new ConcurrentHashMap<>();
  private final Orphans orphans = new Orphans();
  private final Set<UUID> claiming = ConcurrentHashMap.newKeySet();
  private final Set<UUID> unseen = ConcurrentHashMap.newKeySet();
  private volatile boolean recovered;
  private volatile boolean closed;
  private long renewTimer = -1;
  private long sweepTimer = -1;

  /** A deployed (or deploying) runner and its deployment. */
  private record Runner(BatchVerticle verticle, Future<String> deployment, long epoch) {}

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
    this.leaseClock = new LeaseClock(settings.leaseTtl());
    this.parts = new RunnerParts(store, generator, gate, settings, leaseClock);
    metrics.batchesWithoutRunner(orphans::count);
  }

  /** Claims every batch that needs a runner on this node and deploys one for each. */
  public Future<Integer> recoverAll() {
    long start = System.nanoTime();
    return store
        .leases()
        .claimForRecovery(settings.nodeId(), leaseMillis(), null)
        .onSuccess(claimed -> leaseClock.extended(start))
        .compose(this::deployAll)
        .onSuccess(
            n -> {
              metrics.recovered(Duration.ofNanos(System.nanoTime() - start), n);
              recovered = true;
              renewTimer = vertx.setPeriodic(Math.max(1000, leaseMillis() / 3), t -> renew());
              sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> sweep());
            });
  }

  /** Whether start-up recovery has finished. */
  public boolean recovered() {
    return recovered;
  }

  /**
   * Whether every batch of this node has had a runner within {@link #STUCK_AFTER}: fails, saying
   * which batch waits and why, when recovery has kept failing that long.
   */
  public Future<String> runnersCheck() {
    Optional<Orphans.Orphan> oldest = orphans.oldest();
    if (oldest.isEmpty()) {
      return Future.succeededFuture("every live batch has a runner");
    }
    Orphans.Orphan o = oldest.get();
    long waited = System.currentTimeMillis() - o.since();
    String detail =
        orphans.count()
            + " batch(es) wait for a runner; batch "
            + o.batchId()
            + " for "
            + waited
            + " ms after "
            + o.attempts()
            + " failed recoveries ("
            + o.why()
            + ")";
    return waited > STUCK_AFTER.toMillis()
        ? Future.failedFuture(detail)
        : Future.succeededFuture(detail);
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
  }

  Future<Integer> deployAll(List<BatchRecord> records) {
    List<Future<Void>> deployed =
        records.stream().filter(r -> !r.status().isTerminal()).map(this::launch).toList();
    return Future.join(deployed).map(deployed.size());
  }

  /**
   * Deploys the runner of a batch this node holds the lease of. The runner is registered before it
   * deploys, so a runner that ends while still starting is never mistaken for a live one.
   */
  public Future<Void> launch(BatchRecord record) {
    UUID id = record.id();
    BatchVerticle verticle =
        new BatchVerticle(record, parts, this, new BatchMeter(metrics, record.snapshot()));
    Promise<String> deployed = Promise.promise();
    Runner runner = new Runner(verticle, deployed.future(), record.epoch());
    if (live.putIfAbsent(id, runner) != null) {
      return Future.succeededFuture();
    }
    orphans.settled(id);
    vertx.deployVerticle(verticle).onComplete(deployed);
    return deployed
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
        .mapEmpty();
  }

  @Override
  public void ended(UUID batchId, BatchVerticle verticle, boolean lost, String why) {
    Runner runner = live.get(batchId);
    if (runner != null && runner.verticle() == verticle) {
      live.remove(batchId, runner);
      runner
          .deployment()
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
        .onSuccess(claimed -> leaseClock.extended(started))
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

  /**
   * Answers a control request for a batch no runner is listening for: a terminal batch answers from
   * its stored state, and retry-failed reopens it; a live batch without a runner is being
   * recovered, so the caller should try again.
   */
  Future<ControlResult> controlDormant(
      BatchRecord current, BatchCommand command, Placement placement) {
    if (!current.status().isTerminal()) {
      recoverSoon(current.id(), "a control found no runner");
      return Future.succeededFuture(
          new ControlResult.Unavailable("The batch is being recovered; try again in a moment."));
    }
    Decision d = BatchMachine.decide(current.snapshot(), command);
    if (d instanceof Rejected r) {
      return Future.succeededFuture(new ControlResult.Refused(r.current(), r.detail()));
    }
    Accepted accepted = (Accepted) d;
    return placement
        .choose()
        .compose(
            node ->
                store
                    .writes()
                    .reopen(current, accepted, node, leaseMillis())
                    .compose(
                        reopened -> {
                          if (reopened.isEmpty()) {
                            return Future.succeededFuture(
                                new ControlResult.Unavailable(
                                    "The batch changed meanwhile; try again."));
                          }
                          BatchChanges.publish(
                              vertx, reopened.get().snapshot(), List.of(accepted.transition()));
                          return placement
                              .handTo(node, reopened.get())
                              .map(new ControlResult.Done(reopened.get()));
                        }));
  }

  /**
   * Extends the leases of the batches this node runs, each at the epoch its runner holds. A runner
   * whose batch did not renew lost it to another node (this one was frozen or cut off past its
   * lease): it stops at once. Then looks for batches of this node that nobody runs: one missing
   * from two renewals in a row (so a batch being launched right now is not taken for one) is
   * recovered.
   */
  private void renew() {
    long started = System.nanoTime();
    boolean wasHeld = leaseClock.held();
    Map<UUID, Runner> running = Map.copyOf(live);
    Map<UUID, Long> epochs = new HashMap<>();
    running.forEach((id, r) -> epochs.put(id, r.epoch()));
    store
        .leases()
        .renewLeases(settings.nodeId(), leaseMillis(), epochs)
        .onSuccess(renewed -> afterRenewal(running, renewed, started, wasHeld))
        .compose(renewed -> store.leases().owned(settings.nodeId()))
        .onSuccess(this::findUnrun)
        .onFailure(e -> log.warn("Lease renewal failed: {}", e.getMessage()));
  }

  private void afterRenewal(
      Map<UUID, Runner> running, Set<UUID> renewed, long started, boolean wasHeld) {
    leaseClock.extended(started);
    running.forEach(
        (id, runner) -> {
          if (!renewed.contains(id) && runner.equals(live.get(id))) {
            log.atWarn()
                .addKeyValue("batch", id)
                .log("The batch's lease is held by another node now; its runner here stops");
            runner.verticle().fence("the batch is owned elsewhere");
          } else if (!wasHeld) {
            runner.verticle().wake();
          }
        });
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

  /** The lease clock: a claim that started at {@code startedNanos} took fresh leases. */
  void leasesTaken(long startedNanos) {
    leaseClock.extended(startedNanos);
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
   * while its leases have lapsed, nor for two leases after (it was frozen or cut off, and may see
   * itself alone until the cluster heals).
   */
  boolean membershipTrusted() {
    return leaseClock.steadyFor(2 * settings.leaseTtl().toNanos());
  }

  private void findUnrun(Set<UUID> owned) {
    Set<UUID> missing = new HashSet<>();
    for (UUID id : owned) {
      if (!live.containsKey(id) && !orphans.contains(id) && !claiming.contains(id)) {
        missing.add(id);
      }
    }
    for (UUID id : missing) {
      if (unseen.contains(id)) {
        log.atWarn().addKeyValue("batch", id).log("The batch had no runner; recovering it");
        orphans.lost(id, System.currentTimeMillis(), "no runner was found for it");
      }
    }
    unseen.retainAll(missing);
    unseen.addAll(missing);
  }

  private long leaseMillis() {
    return settings.leaseTtl().toMillis();
  }
}
