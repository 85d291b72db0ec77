package dev.sluice.batch;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationException;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What one batch runner reports to the metrics: how long each item waited, ready, before it was
 * dispatched; each generator call's latency and outcome; and, once a commit is stored, how long it
 * took and what it settled. It remembers when each item of the runner's window became ready, and
 * nothing else; like its runner, it is used on one context only.
 */
final class BatchMeter {

  private final SluiceMetrics metrics;
  private final Map<Integer, Long> readySince = new HashMap<>();
  private int storedCancelled;

  BatchMeter(SluiceMetrics metrics, BatchSnapshot stored) {
    this.metrics = metrics;
    this.storedCancelled = stored.counts().cancelled();
  }

  /** The item is ready to run and waits in the window for a free slot. */
  void queued(int seq) {
    readySince.put(seq, System.nanoTime());
  }

  /** Nothing waiting in the window will run (the batch was cancelled). */
  void dropped() {
    readySince.clear();
  }

  /** The item goes to the generator now. */
  void dispatched(int seq) {
    Long since = readySince.remove(seq);
    metrics.itemDispatched(Duration.ofNanos(since == null ? 0 : System.nanoTime() - since));
  }

  /** Times the generator call started at {@code startNanos} and notes how it ended. */
  void generating(Future<Generation> call, long startNanos) {
    call.onComplete(ar -> metrics.generationEnded(since(startNanos), outcome(ar)));
  }

  /** Runs the write of a commit, timing it; once the commit is stored, counts what it settled. */
  Future<Boolean> writing(Commit commit, Supplier<Future<Boolean>> write) {
    long start = System.nanoTime();
    return write
        .get()
        .andThen(
            ar -> {
              if (ar.succeeded() && ar.result()) {
                stored(commit, since(start));
              }
            });
  }

  private void stored(Commit commit, Duration took) {
    int succeeded = 0;
    int failed = 0;
    int retried = 0;
    for (ItemResult r : commit.settled()) {
      switch (r.status()) {
        case SUCCEEDED -> succeeded++;
        case FAILED -> failed++;
        case PENDING -> retried++;
        default -> {
          // cancelled items are counted below, with those a cancel took from pending
        }
      }
    }
    int cancelled = commit.next().counts().cancelled();
    metrics.itemsSettled(succeeded, failed, retried, Math.max(0, cancelled - storedCancelled));
    storedCancelled = cancelled;
    metrics.snapshotWritten(took, commit.settled().size());
  }

  private static String outcome(AsyncResult<Generation> ar) {
    if (ar.succeeded()) {
      return "success";
    }
    return ar.cause() instanceof GenerationException g ? g.code() : "internal";
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
