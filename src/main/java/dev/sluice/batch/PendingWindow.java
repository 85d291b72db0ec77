package dev.sluice.batch;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The pending items a runner holds in memory: a window read from the database in sequence order,
 * and items set aside until their retry backoff ends. When the scan reaches the end while pending
 * items remain (retries, retry-failed), it starts again from the first item once the runner is
 * quiet, skipping what it holds; a rescan that found nothing is not repeated until a commit changes
 * the batch. A million-item batch so holds a few windows, never all its items.
 */
final class PendingWindow {

  private final Vertx vertx;
  private final BatchMeter meter;
  private final Runnable onReady;
  private final ArrayDeque<PendingItem> queue = new ArrayDeque<>();
  private final Set<Integer> queued = new HashSet<>();
  private final Map<Integer, Long> delayed = new HashMap<>();

  /** Items settled while a page was being read: the page may still show them pending. */
  private final Set<Integer> settledWhileLoading = new HashSet<>();

  private int cursor;
  private boolean loading;
  private boolean scanEnded;
  private long lastEmptyRescan = -1;

  /** {@code onReady} runs when an item comes back from its backoff. */
  PendingWindow(Vertx vertx, BatchMeter meter, Runnable onReady) {
    this.vertx = vertx;
    this.meter = meter;
    this.onReady = onReady;
  }

  int size() {
    return queue.size();
  }

  @Nullable PendingItem peek() {
    return queue.peek();
  }

  boolean loading() {
    return loading;
  }

  /** The first item that may run now; items still in their backoff are set aside. */
  @Nullable PendingItem nextReady(long nowMillis) {
    PendingItem item;
    while ((item = queue.poll()) != null) {
      queued.remove(item.seq());
      Long notBefore = item.notBeforeMillis();
      if (notBefore == null || notBefore <= nowMillis) {
        return item;
      }
      delay(item, notBefore - nowMillis);
    }
    return null;
  }

  /** Sets an item aside until its backoff ends; then it goes to the front of the window. */
  void delay(PendingItem item, long millis) {
    long timer =
        vertx.setTimer(
            Math.max(1, millis),
            t -> {
              delayed.remove(item.seq());
              if (queued.add(item.seq())) {
                queue.addFirst(
                    new PendingItem(
                        item.seq(),
                        item.itemId(),
                        item.input(),
                        item.round(),
                        item.attempts(),
                        null));
                meter.queued(item.seq());
                onReady.run();
              }
            });
    delayed.put(item.seq(), timer);
  }

  /**
   * Where to read the next page from, when the window wants one now (a read is then in progress);
   * else null. {@code quiet}: nothing is being written or waits to be.
   */
  @Nullable Integer readFrom(BatchSnapshot s, int windowSize, boolean quiet, long storedVersion) {
    if (loading || s.status() != BatchStatus.RUNNING || queue.size() > windowSize / 2) {
      return null;
    }
    if (scanEnded) {
      boolean unseen = s.counts().pending() > queue.size() + delayed.size();
      if (!unseen || !queue.isEmpty() || !quiet || lastEmptyRescan == storedVersion) {
        return null;
      }
      cursor = 0;
      scanEnded = false;
    }
    loading = true;
    return cursor;
  }

  /** Takes in a page read from {@code from}, skipping items in flight or held. */
  void loaded(
      List<PendingItem> items,
      int from,
      int windowSize,
      long storedVersion,
      IntPredicate inFlight) {
    loading = false;
    int added = 0;
    for (PendingItem item : items) {
      int seq = item.seq();
      boolean fresh = !inFlight.test(seq) && !settledWhileLoading.contains(seq);
      if (fresh && !delayed.containsKey(seq) && queued.add(seq)) {
        queue.add(item);
        meter.queued(seq);
        added++;
      }
    }
    settledWhileLoading.clear();
    if (!items.isEmpty()) {
      cursor = items.get(items.size() - 1).seq();
    }
    if (items.size() < windowSize) {
      scanEnded = true;
      if (from == 0 && added == 0) {
        lastEmptyRescan = storedVersion;
      }
    }
  }

  void loadFailed() {
    loading = false;
    settledWhileLoading.clear();
  }

  /** An item's result was stored; a page being read now must not bring it back. */
  void settled(int seq) {
    if (loading) {
      settledWhileLoading.add(seq);
    }
  }

  /** Lets a rescan that found nothing run again (the runner suspects a lost wake-up). */
  void forgetEmptyRescan() {
    lastEmptyRescan = -1;
  }

  /** Failed items went back to pending: the next scan starts again from the first item. */
  void rescanSoon() {
    scanEnded = true;
    lastEmptyRescan = -1;
  }

  /** A cancel leaves nothing to dispatch: the window and the items set aside are dropped. */
  void drop() {
    queue.clear();
    queued.clear();
    meter.dropped();
    stopTimers();
  }

  void stopTimers() {
    delayed.values().forEach(vertx::cancelTimer);
    delayed.clear();
  }
}
