package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In a cluster, takes over the batches other nodes left: at once when a member leaves or a node
 * hands its batches over on shutdown, and every second for leases that ran out (a frozen or cut-off
 * node says nothing). Each survivor claims its own share; the new epoch fences the old owner.
 */
public final class Takeover {

  /** Published by a node that released its leases on shutdown. */
  public static final String RELEASED = "sluice.cluster.released";

  private static final Logger log = LoggerFactory.getLogger(Takeover.class);
  private static final long PERIOD_MS = 1000;

  private final Vertx vertx;
  private final BatchStore store;
  private final BatchSupervisor supervisor;
  private final BatchSettings settings;
  private final AtomicBoolean claiming = new AtomicBoolean();
  private volatile boolean again;
  private volatile boolean stopped;
  private long timer = -1;

  public Takeover(
      Vertx vertx, BatchStore store, BatchSupervisor supervisor, BatchSettings settings) {
    this.vertx = vertx;
    this.store = store;
    this.supervisor = supervisor;
    this.settings = settings;
  }

  /** Starts looking for batches to take over (in clustered mode only). */
  public Future<Void> start() {
    if (!supervisor.membership().clustered()) {
      return Future.succeededFuture();
    }
    timer = vertx.setPeriodic(PERIOD_MS, t -> adopt());
    return vertx.eventBus().consumer(RELEASED, m -> adopt()).completion();
  }

  /** Membership changed: a member that left leaves batches to adopt now. */
  public void membershipChanged() {
    if (!stopped && supervisor.membership().clustered()) {
      vertx.runOnContext(v -> adopt());
    }
  }

  /** Takes nothing more over (the node is handing its own batches over). */
  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void adopt() {
    Membership members = supervisor.membership();
    if (stopped || !members.complete()) {
      return;
    }
    if (!claiming.compareAndSet(false, true)) {
      again = true;
      return;
    }
    again = false;
    long started = System.nanoTime();
    store
        .leases()
        .adopt(
            settings.nodeId(),
            settings.leaseTtl().toMillis(),
            members.nodes(),
            supervisor.membershipTrusted())
        .onSuccess(claimed -> supervisor.leasesTaken(started, claimed.size()))
        .compose(supervisor::deployAll)
        .onComplete(
            ar -> {
              claiming.set(false);
              if (ar.failed()) {
                log.warn("Taking over batches failed: {}", ar.cause().getMessage());
              } else if (ar.result() > 0) {
                log.info("Took over {} batches left by other nodes", ar.result());
              }
              if (again) {
                adopt();
              }
            });
  }
}
