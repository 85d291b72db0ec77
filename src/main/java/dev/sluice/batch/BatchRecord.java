package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A batch row as stored: who owns it, its settings, its state and counts, its times and the tokens
 * its items used.
 */
public record BatchRecord(
    UUID id,
    String owner,
    String name,
    BatchStatus status,
    @Nullable String statusReason,
    JsonObject config,
    Counts counts,
    long version,
    long epoch,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    @Nullable OffsetDateTime finishedAt,
    TokenUsage usage) {

  public BatchConfig batchConfig() {
    return BatchConfig.fromJson(config);
  }

  /** The state machine's view of this row. */
  public BatchSnapshot snapshot() {
    return snapshot(batchConfig());
  }

  /** The state machine's view of this row, with its settings already read. */
  public BatchSnapshot snapshot(BatchConfig c) {
    return new BatchSnapshot(
        id, status, statusReason, counts, c.concurrency(), c.maxAttempts(), version);
  }

  /** This batch as a runner's commit just stored it, at {@code now} (to the millisecond). */
  BatchRecord stored(BatchSnapshot s, TokenUsage tokens, OffsetDateTime now) {
    OffsetDateTime finished =
        s.status().isTerminal() ? (finishedAt == null ? now : finishedAt) : null;
    return new BatchRecord(
        id,
        owner,
        name,
        s.status(),
        s.statusReason(),
        config,
        s.counts(),
        s.version(),
        epoch,
        createdAt,
        now,
        finished,
        tokens);
  }
}
