package dev.sluice.batch;

import dev.sluice.generate.ProviderWait;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
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
    BatchSnapshot s = r.snapshot();
    BatchConfig c = r.batchConfig();
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
        .put(
            "usage",
            new JsonObject()
                .put("promptTokens", r.usage().promptTokens())
                .put("completionTokens", r.usage().completionTokens())
                .put("totalTokens", r.usage().total()))
        .put("counts", counts(n))
        .put(
            "controls",
            new JsonObject()
                .put("pause", BatchMachine.allows(s, "pause"))
                .put("resume", BatchMachine.allows(s, "resume"))
                .put("cancel", BatchMachine.allows(s, "cancel"))
                .put("retryFailed", BatchMachine.allows(s, "retry-failed")))
        .put("version", r.version())
        .put("createdAt", BatchRepository.time(r.createdAt()))
        .put("updatedAt", BatchRepository.time(r.updatedAt()))
        .put("finishedAt", BatchRepository.time(r.finishedAt()));
  }

  /** How many items are in each state, as every answer and event shows it. */
  static JsonObject counts(Counts n) {
    return new JsonObject()
        .put("total", n.total())
        .put("pending", n.pending())
        .put("inProgress", n.inProgress())
        .put("succeeded", n.succeeded())
        .put("failed", n.failed())
        .put("cancelled", n.cancelled());
  }
}
