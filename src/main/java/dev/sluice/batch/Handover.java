package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful stop: this node dispatches nothing more, lets items in flight finish and be stored
 * within the grace period, then ends its runners and releases their leases (no owner, lease over),
 * so another node — or this one after a restart — claims them at once instead of waiting for the
 * lease to run out. Items still in flight when the grace ends go back to pending with that claim.
 */
public final class Handover {

  private static final Logger log = LoggerFactory.getLogger(Handover.class);

  private final Vertx vertx;
  private final BatchStore store;
  private final BatchSupervisor supervisor;
  private final Takeover takeover;
  private final String nodeId;

  public Handover(
      Vertx vertx, BatchStore store, BatchSupervisor supervisor, Takeover takeover, String nodeId) {
    this.vertx = vertx;
    this.store = store;
    this.supervisor = supervisor;
    this.takeover = takeover;
    this.nodeId = nodeId;
  }

  /** Drains, stores, releases; completes with the number of batches handed over. */
  public Future<Integer> handOver(Duration grace) {
    takeover.stop();
    supervisor.stopRecovering();
    Map<UUID, BatchVerticle> runners = supervisor.runners();
    log.info("Stopping: {} batches finish what is in flight, then are handed over", runners.size());
    List<Future<Void>> drains = runners.values().stream().map(BatchVerticle::drain).toList();
    Promise<Void> drained = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, grace.toMillis()), t -> drained.tryComplete());
    Future.join(drains).onComplete(ar -> drained.tryComplete());
    return drained
        .future()
        .compose(
            v -> {
              vertx.cancelTimer(timer);
              Map<UUID, Long> epochs = new HashMap<>();
              supervisor
                  .runners()
                  .forEach(
                      (id, runner) -> {
                        supervisor.epochOf(id).ifPresent(e -> epochs.put(id, e));
                        runner.retire("the node is stopping");
                      });
              return store.leases().release(nodeId, epochs);
            })
        .map(
            released -> {
              vertx.eventBus().publish(Takeover.RELEASED, nodeId);
              log.info("Handed over {} batches", released.size());
              return released.size();
            });
  }
}
