package dev.sluice.batch;

import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the batches-by-status gauges true to the database: it counts every few seconds, and soon
 * after any stored transition — no sooner than {@link #PACE} times as long as the last count took
 * after it, so that with many batches and many transitions the count (a scan of every batch) keeps
 * to a small share of the database. Counting in PostgreSQL rather than in memory keeps the numbers
 * right across restarts, and will keep them right across nodes (each reports the same totals;
 * dashboards take the max). The same count finds the longest a running batch has gone without a
 * stored change, which is what the "no progress" alert watches.
 */
public final class BatchCensus extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(BatchCensus.class);
  private static final long PERIOD_MS = 5_000;
  private static final long AFTER_CHANGE_MS = 200;
  private static final long PACE = 20;

  private final BatchReads reads;
  private final SluiceMetrics metrics;
  private boolean counting;
  private boolean again;
  private long soon = -1;
  private long lastTookMs;

  public BatchCensus(BatchReads reads, SluiceMetrics metrics) {
    this.reads = reads;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(PERIOD_MS, t -> count());
    MessageConsumer<JsonObject> changes =
        vertx.eventBus().consumer(BatchChanges.ADDRESS, m -> changed(m.body()));
    return changes.completion().compose(v -> counted());
  }

  private void changed(JsonObject change) {
    JsonArray transitions = change.getJsonArray("transitions");
    if (soon < 0 && transitions != null && !transitions.isEmpty()) {
      soon =
          vertx.setTimer(
              Math.max(AFTER_CHANGE_MS, PACE * lastTookMs),
              t -> {
                soon = -1;
                count();
              });
    }
  }

  private void count() {
    if (counting) {
      again = true;
      return;
    }
    counting = true;
    counted()
        .onComplete(
            ar -> {
              counting = false;
              if (again) {
                again = false;
                count();
              }
            });
  }

  private Future<Void> counted() {
    long start = System.nanoTime();
    return reads
        .census()
        .onComplete(ar -> lastTookMs = (System.nanoTime() - start) / 1_000_000)
        .onSuccess(c -> metrics.batches(byWire(c.byStatus()), c.longestRunningIdle()))
        .onFailure(e -> log.debug("Counting batches failed: {}", e.getMessage()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  private static Map<String, Long> byWire(Map<BatchStatus, Long> byStatus) {
    Map<String, Long> out = new LinkedHashMap<>();
    byStatus.forEach((status, n) -> out.put(status.wire(), n));
    return out;
  }
}
