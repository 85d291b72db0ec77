package dev.sluice.batch;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's own clock of its leases: until when (on the process's monotonic clock) the last
 * renewal or claim keeps them. A runner dispatches nothing once it has run out — a process that was
 * frozen past its lease must not start work for a batch another node may have taken meanwhile; the
 * next renewal says whether the batch is still this node's. Only a renewal brings a clock that ran
 * out back (it fences the batches the node lost first); when it does, the node's runners are woken,
 * as they went quiet while it was out.
 */
final class LeaseClock {

  private static final Logger log = LoggerFactory.getLogger(LeaseClock.class);

  private final long ttlNanos;
  private volatile long heldUntil;
  private volatile long lapsedAt = System.nanoTime() - Long.MAX_VALUE / 2;

  /**
   * Whether a claim or renewal has succeeded yet. Until then the node holds nothing that could
   * lapse: a slow start (joining the cluster on busy cores) is not a gap in its leases, and must
   * not make it distrust the membership it has just joined.
   */
  private volatile boolean claimed;

  private final Runnable regained;

  /** {@code regained} runs whenever a renewal brings the clock back after it ran out. */
  LeaseClock(Duration ttl, Runnable regained) {
    // A tenth less than the lease itself, for the database's clock and the renewal's round trip.
    this.ttlNanos = ttl.toNanos() - ttl.toNanos() / 10;
    this.heldUntil = System.nanoTime() + ttlNanos;
    this.regained = regained;
  }

  /**
   * A renewal that started at {@code startedNanos} succeeded, after the batches it did not renew
   * were fenced.
   */
  void renewed(long startedNanos) {
    boolean wasHeld = heldUntil - System.nanoTime() > 0;
    extend(startedNanos);
    if (!wasHeld && held()) {
      regained.run();
    }
  }

  /**
   * A claim that started at {@code startedNanos} took {@code batches} batches. It keeps a clock
   * that holds going, and starts the clock of a node that has claimed nothing before (a slow
   * start), but never brings back one that ran out: a process that was frozen and took new batches
   * on waking must not dispatch for its old ones before the renewal has fenced those it lost.
   */
  void claimed(long startedNanos, int batches) {
    if (batches > 0 && (!claimed || held())) {
      extend(startedNanos);
    }
  }

  private void extend(long startedNanos) {
    long until = startedNanos + ttlNanos;
    if (until - heldUntil > 0) {
      heldUntil = until;
    }
    claimed = true;
  }

  /** Whether the leases still hold by this node's clock. */
  boolean held() {
    long now = System.nanoTime();
    if (heldUntil - now > 0) {
      return true;
    }
    if (claimed) {
      if (lapsedAt - heldUntil < 0) {
        log.warn(
            "This node's leases ran out by its own clock {} ms ago (no renewal in time): its"
                + " runners wait for the next renewal",
            TimeUnit.NANOSECONDS.toMillis(now - heldUntil));
      }
      lapsedAt = now;
    }
    return false;
  }

  /** Whether the leases held without a gap for at least {@code nanos} until now. */
  boolean steadyFor(long nanos) {
    return held() && System.nanoTime() - lapsedAt > nanos;
  }

  /**
   * Whether this node may act on its own view of the cluster, which holds {@code members} live
   * members, itself included: when its leases have held without a gap for {@code steadyNanos}, or
   * when they hold now and it sees at least one other member. A node whose leases lapsed lately was
   * slow, frozen or cut off; one the others dropped meanwhile sees itself alone until the cluster
   * heals, and must not take every other member for gone. One that still sees another member is in
   * the cluster, and a member it sees leave has left.
   */
  boolean trustsView(int members, long steadyNanos) {
    return steadyFor(steadyNanos) || (held() && members > 1);
  }
}
