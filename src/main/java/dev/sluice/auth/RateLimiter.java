package dev.sluice.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per principal on this node: {@code perMinute} requests a minute, refilled evenly,
 * with a burst of a minute's worth. One flooding principal empties only its own bucket. Buckets are
 * forgotten once full again, so the map holds only principals that sent something lately.
 */
public final class RateLimiter {

  private static final long MINUTE_NANOS = 60_000_000_000L;
  private static final int FORGET_ABOVE = 10_000;

  private final int perMinute;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(int perMinute) {
    this(perMinute, System::nanoTime);
  }

  RateLimiter(int perMinute, LongSupplier clock) {
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** 0 when the request may go ahead, else the whole seconds until it may. */
  public long take(String principal) {
    if (perMinute <= 0) {
      return 0;
    }
    long now = clock.getAsLong();
    if (buckets.size() > FORGET_ABOVE) {
      buckets.values().removeIf(b -> b.fullAt(now, perMinute));
    }
    Bucket bucket = buckets.computeIfAbsent(principal, p -> new Bucket(perMinute, now));
    synchronized (bucket) {
      return bucket.take(now, perMinute);
    }
  }

  /** Tokens (as nanos of refill) and when they were last counted. */
  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(int capacity, long now) {
      this.tokens = capacity;
      this.at = now;
    }

    long take(long now, int perMinute) {
      refill(now, perMinute);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      double nanosPerToken = (double) MINUTE_NANOS / perMinute;
      double waitNanos = (1 - tokens) * nanosPerToken;
      return Math.max(1, (long) Math.ceil(waitNanos / 1e9));
    }

    private void refill(long now, int perMinute) {
      tokens = Math.min(perMinute, tokens + (now - at) * (double) perMinute / MINUTE_NANOS);
      at = now;
    }

    synchronized boolean fullAt(long now, int perMinute) {
      refill(now, perMinute);
      return tokens >= perMinute;
    }
  }
}
