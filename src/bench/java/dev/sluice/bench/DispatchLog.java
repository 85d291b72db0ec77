package dev.sluice.bench;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Passes every call to the real generator and notes when it was dispatched (System.nanoTime), per
 * batch. The times go into arrays of primitive longs, 8 bytes a dispatch: a round of (b) records a
 * million dispatches, and as boxed longs in linked nodes (48 bytes each) they were most of what the
 * young collections of this JVM copied — 15–35 ms pauses every two seconds that every pause and
 * every floor commit of the round could meet.
 */
final class DispatchLog implements Generator {

  private final Generator delegate;
  private final Map<UUID, Times> byBatch = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();

  DispatchLog(Generator delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    long now = System.nanoTime();
    byBatch.computeIfAbsent(request.batchId(), k -> new Times()).add(now);
    total.increment();
    return delegate.generate(request);
  }

  /** Dispatches so far, all batches. */
  long total() {
    return total.sum();
  }

  /** Dispatches of one batch strictly after {@code from} and strictly before {@code to}. */
  long between(String batchId, long from, long to) {
    Times times = byBatch.get(UUID.fromString(batchId));
    return times == null ? 0 : times.between(from, to);
  }

  /** One batch's dispatch times, in chunks of primitive longs that are never copied. */
  private static final class Times {
    private static final int CHUNK = 8_192;
    private final List<long[]> full = new ArrayList<>();
    private long[] current = new long[CHUNK];
    private int size;

    synchronized void add(long nanos) {
      if (size == CHUNK) {
        full.add(current);
        current = new long[CHUNK];
        size = 0;
      }
      current[size++] = nanos;
    }

    synchronized long between(long from, long to) {
      long n = 0;
      for (long[] chunk : full) {
        n += count(chunk, CHUNK, from, to);
      }
      return n + count(current, size, from, to);
    }

    private static long count(long[] times, int length, long from, long to) {
      long n = 0;
      for (int i = 0; i < length; i++) {
        n += times[i] > from && times[i] < to ? 1 : 0;
      }
      return n;
    }
  }
}
