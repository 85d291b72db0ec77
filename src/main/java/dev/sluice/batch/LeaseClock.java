package dev.sluice.batch;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's own clock of its leases: until when (on the process's monotonic clock) the last
 * renewal or claim keeps them. A runner dispatches nothing once it has run out — a process that was
 * frozen past its lease must not start work for a batch another node may have taken meanwhile; the
 * next renewal says whether the batch is still this node's.
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

  LeaseClock(Duration ttl) {
    // A tenth less than the lease itself, for the database's clock and the renewal's round trip.
    this.ttlNanos = ttl.toNanos() - ttl.toNanos() / 10;
    this.heldUntil = System.nanoTime() + ttlNanos;
  }

  /** A claim or renewal that started at {@code startedNanos} succeeded. */
  void extended(long startedNanos) {
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
}
