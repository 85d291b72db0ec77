package dev.sluice.bench;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Passes every call to the real generator and notes when it was dispatched (System.nanoTime), per
 * batch. Unlike the test suite's RecordingGenerator (a CopyOnWriteArrayList, which copies every
 * earlier entry on each call), appending here costs O(1), so recording tens of thousands of
 * dispatches does not slow the event loops it runs on.
 */
final class DispatchLog implements Generator {

  private final Generator delegate;
  private final Map<String, Queue<Long>> byBatch = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();

  DispatchLog(Generator delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    long now = System.nanoTime();
    byBatch
        .computeIfAbsent(request.batchId().toString(), k -> new ConcurrentLinkedQueue<>())
        .add(now);
    total.increment();
    return delegate.generate(request);
  }

  /** Dispatches so far, all batches. */
  long total() {
    return total.sum();
  }

  /** Dispatches of one batch strictly after {@code from} and strictly before {@code to}. */
  long between(String batchId, long from, long to) {
    Queue<Long> q = byBatch.get(batchId);
    if (q == null) {
      return 0;
    }
    return q.stream().filter(t -> t > from && t < to).count();
  }

  /** Every dispatch time of one batch. */
  List<Long> of(String batchId) {
    Queue<Long> q = byBatch.get(batchId);
    return q == null ? List.of() : List.copyOf(q);
  }
}
