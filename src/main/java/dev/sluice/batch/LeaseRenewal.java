package dev.sluice.batch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of the batches this node runs, each at the epoch its runner holds: a runner
 * whose batch did not renew lost it to another node (this one was frozen or cut off past its lease)
 * and stops at once. Then looks for batches of this node that nobody runs: one missing from two
 * renewals in a row (so a batch being launched right now is not taken for one) is recovered. The
 * {@link BatchSupervisor} runs it every third of the lease.
 */
final class LeaseRenewal {

  private static final Logger log = LoggerFactory.getLogger(LeaseRenewal.class);

  /** A runner of this node and the epoch it holds its batch at. */
  record Held(BatchVerticle runner, long epoch) {}

  /** What the renewal asks of the node's runners. */
  interface Runners {
    /** Every runner of the node now, deployed or waiting to be. */
    Map<UUID, Held> held();

    /** Whether this runner is still the node's runner of the batch. */
    boolean stillRuns(UUID batchId, BatchVerticle runner);

    /** Whether the batch has a runner here, waits for one, or is being claimed. */
    boolean accountedFor(UUID batchId);

    /** The batch has no runner here: recover it. */
    void noRunner(UUID batchId, String why);
  }

  private final BatchStore store;
  private final BatchSettings settings;
  private final LeaseClock clock;
  private final Runners runners;
  private final Set<UUID> unseen = new HashSet<>();

  LeaseRenewal(BatchStore store, BatchSettings settings, LeaseClock clock, Runners runners) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.runners = runners;
  }

  /** Renews, fences what did not renew, and looks for batches nobody runs. */
  void renew() {
    long started = System.nanoTime();
    Map<UUID, Held> held = runners.held();
    Map<UUID, Long> epochs = new HashMap<>();
    held.forEach((id, h) -> epochs.put(id, h.epoch()));
    store
        .leases()
        .renewLeases(settings.nodeId(), settings.leaseTtl().toMillis(), epochs)
        .onSuccess(renewed -> renewed(held, renewed, started))
        .compose(renewed -> store.leases().owned(settings.nodeId()))
        .onSuccess(this::findUnrun)
        .onFailure(e -> log.warn("Lease renewal failed: {}", e.getMessage()));
  }

  private void renewed(Map<UUID, Held> held, Set<UUID> renewed, long started) {
    held.forEach(
        (id, h) -> {
          if (!renewed.contains(id) && runners.stillRuns(id, h.runner())) {
            log.atWarn()
                .addKeyValue("batch", id)
                .log("The batch's lease is held by another node now; its runner here stops");
            h.runner().fence("the batch is owned elsewhere");
          }
        });
    // Only now: a clock that ran out and comes back wakes the runners, and those fenced above
    // must not dispatch on it.
    clock.renewed(started);
  }

  private synchronized void findUnrun(Set<UUID> owned) {
    Set<UUID> missing = new HashSet<>();
    for (UUID id : owned) {
      if (!runners.accountedFor(id)) {
        missing.add(id);
      }
    }
    for (UUID id : missing) {
      if (unseen.contains(id)) {
        log.atWarn().addKeyValue("batch", id).log("The batch had no runner; recovering it");
        runners.noRunner(id, "no runner was found for it");
      }
    }
    unseen.retainAll(missing);
    unseen.addAll(missing);
  }
}
