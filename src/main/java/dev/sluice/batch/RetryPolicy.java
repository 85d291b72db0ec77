package dev.sluice.batch;

import java.time.Duration;

/**
 * Exponential backoff between attempts at one item with a jitter of ±20%, never above the cap; the
 * jitter depends only on the item and the attempt, so the same history always gives the same
 * delays.
 */
public record RetryPolicy(Duration base, Duration max) {

  public RetryPolicy {
    if (base.isNegative() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 <= base <= max");
    }
  }

  /** The delay before the attempt that follows attempt number {@code attempt} (1-based). */
  public Duration delay(int attempt, int seq) {
    int shift = Math.min(Math.max(attempt - 1, 0), 20);
    long raw = Math.min(max.toMillis(), base.toMillis() << shift);
    long mix = (seq * 0x9E3779B97F4A7C15L) ^ (attempt * 0xC2B2AE3D27D4EB4FL);
    double unit = ((mix >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
    return Duration.ofMillis(Math.min(max.toMillis(), Math.round(raw * (0.8 + 0.4 * unit))));
  }
}
