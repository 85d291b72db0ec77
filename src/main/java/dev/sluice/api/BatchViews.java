package dev.sluice.api;

import dev.sluice.batch.BatchChanges;
import dev.sluice.batch.BatchConfig;
import dev.sluice.batch.BatchEvent;
import dev.sluice.batch.BatchMachine;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.BatchSnapshot;
import dev.sluice.batch.Counts;
import dev.sluice.batch.ItemRecord;
import dev.sluice.generate.ProviderWait;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/** The JSON shape of a batch in every answer of the API. */
final class BatchViews {

  private BatchViews() {}

  /**
   * A batch with, while the provider's circuit breaker holds it, how it waits ({@code provider}).
   */
  static JsonObject batch(BatchRecord r, @Nullable ProviderWait wait) {
    JsonObject view = batch(r);
    if (wait != null) {
      view.put(
          "provider",
          new JsonObject()
              .put("breaker", wait.breaker())
              .put("waitingSince", wait.since().toString())
              .put(
                  "waitedMs", Math.max(0, Duration.between(wait.since(), Instant.now()).toMillis()))
              .put("probesFailed", wait.probesFailed())
              .put(
                  "nextProbeAt",
                  wait.nextProbeAt() == null ? null : String.valueOf(wait.nextProbeAt())));
    }
    return view;
  }

  static JsonObject batch(BatchRecord r) {
    BatchConfig c = r.batchConfig();
    BatchSnapshot s = r.snapshot(c);
    Counts n = r.counts();
    return new JsonObject()
        .put("id", r.id().toString())
        .put("name", r.name())
        .put("status", r.status().wire())
        .put("statusReason", r.statusReason())
        .put("model", c.model())
        .put("concurrency", c.concurrency())
        .put("maxAttempts", c.maxAttempts())
        .put("tokenBudget", c.tokenBudget())
        .put("deadline", c.deadline() == null ? null : c.deadline().toString())
        .put(
            "usage",
            new JsonObject()
                .put("promptTokens", r.usage().promptTokens())
                .put("completionTokens", r.usage().completionTokens())
                .put("totalTokens", r.usage().total()))
        .put("counts", BatchChanges.counts(n))
        .put(
            "controls",
            new JsonObject()
                .put("pause", BatchMachine.allows(s, "pause"))
                .put("resume", BatchMachine.allows(s, "resume"))
                .put("cancel", BatchMachine.allows(s, "cancel"))
                .put("retryFailed", BatchMachine.allows(s, "retry-failed")))
        .put("version", r.version())
        .put("createdAt", time(r.createdAt()))
        .put("updatedAt", time(r.updatedAt()))
        .put("finishedAt", time(r.finishedAt()));
  }

  /** An item as the items page shows it. */
  static JsonObject item(ItemRecord r) {
    return new JsonObject()
        .put("id", r.itemId())
        .put("seq", r.seq())
        .put("status", r.status().wire())
        .put("input", r.input())
        .put("output", r.output())
        .put("error", r.error())
        .put("attempts", r.attempts())
        .put("usage", r.usage())
        .put("finishedAfterCancel", r.afterCancel())
        .put("startedAt", time(r.startedAt()))
        .put("finishedAt", time(r.finishedAt()));
  }

  /** One entry of a batch's history. */
  static JsonObject event(BatchEvent e) {
    return new JsonObject()
        .put("from", e.from())
        .put("to", e.to())
        .put("actor", e.actor())
        .put("reason", e.reason())
        .put("at", time(e.at()));
  }

  /** RFC 3339 in UTC, seconds always written (OffsetDateTime.toString drops zero seconds). */
  static @Nullable String time(@Nullable OffsetDateTime t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
  }
}
