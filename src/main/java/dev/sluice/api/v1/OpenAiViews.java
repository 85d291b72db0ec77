package dev.sluice.api.v1;

import dev.sluice.api.v1.OpenAiIds.Kind;
import dev.sluice.batch.BatchConfig;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.BatchStatus;
import dev.sluice.batch.Counts;
import dev.sluice.batch.FileRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/**
 * Batches and files in the shape of OpenAI's objects. Statuses map as docs/decisions.md says:
 * running is {@code in_progress}; paused stays {@code paused} (Sluice's extension); a cancelled
 * batch is {@code cancelling} while items it let finish are in flight, then {@code cancelled};
 * completed, failed and expired keep their names. A batch has an output file once it is finished
 * (terminal with nothing in flight) and an item succeeded, and an error file once one failed.
 */
final class OpenAiViews {

  static final String CHAT_COMPLETIONS = "/v1/chat/completions";

  private OpenAiViews() {}

  static JsonObject batch(BatchRecord b) {
    BatchConfig c = b.batchConfig();
    JsonObject openAi = c.openAi() == null ? new JsonObject() : c.openAi();
    Counts n = b.counts();
    String status = status(b);
    boolean finished = finished(b);
    Long ended = seconds(b.finishedAt());
    long created = b.createdAt().toEpochSecond();
    return new JsonObject()
        .put("id", OpenAiIds.batch(b.id()))
        .put("object", "batch")
        .put("endpoint", openAi.getString("endpoint", CHAT_COMPLETIONS))
        .put("errors", errors(b))
        .put("input_file_id", openAi.getString("input_file_id"))
        .put("completion_window", window(b, c, openAi))
        .put("status", status)
        .put("output_file_id", finished && n.succeeded() > 0 ? output(b, Kind.OUTPUT) : null)
        .put("error_file_id", finished && n.failed() > 0 ? output(b, Kind.ERRORS) : null)
        .put("created_at", created)
        .put("in_progress_at", created)
        .put("expires_at", c.deadline() == null ? null : c.deadline().getEpochSecond())
        .put("finalizing_at", finished ? ended : null)
        .put("completed_at", at(b, BatchStatus.COMPLETED, ended))
        .put("failed_at", at(b, BatchStatus.FAILED, ended))
        .put("expired_at", at(b, BatchStatus.EXPIRED, ended))
        .put("cancelling_at", at(b, BatchStatus.CANCELLED, ended))
        .put("cancelled_at", finished ? at(b, BatchStatus.CANCELLED, ended) : null)
        .put(
            "request_counts",
            new JsonObject()
                .put("total", n.total())
                .put("completed", n.succeeded())
                .put("failed", n.failed()))
        .put("metadata", openAi.getJsonObject("metadata"));
  }

  static String status(BatchRecord b) {
    return switch (b.status()) {
      case RUNNING -> "in_progress";
      case CANCELLED -> b.counts().inProgress() > 0 ? "cancelling" : "cancelled";
      default -> b.status().wire();
    };
  }

  /** Whether the batch is terminal with nothing left in flight: its files are final. */
  static boolean finished(BatchRecord b) {
    return b.status().isTerminal() && b.counts().inProgress() == 0;
  }

  static JsonObject file(FileRecord f) {
    return fileObject(
        OpenAiIds.file(f.id()), f.bytes(), f.createdAt().toEpochSecond(), f.filename(), "batch");
  }

  /** A batch's output or error file, made from its items; {@code bytes} as it downloads. */
  static JsonObject outputFile(BatchRecord b, Kind kind, long bytes) {
    String name = OpenAiIds.batch(b.id()) + (kind == Kind.OUTPUT ? "_output" : "_error") + ".jsonl";
    OffsetDateTime at = b.finishedAt() == null ? b.updatedAt() : b.finishedAt();
    return fileObject(output(b, kind), bytes, at.toEpochSecond(), name, "batch_output");
  }

  private static JsonObject fileObject(
      String id, long bytes, long createdAt, String filename, String purpose) {
    return new JsonObject()
        .put("id", id)
        .put("object", "file")
        .put("bytes", bytes)
        .put("created_at", createdAt)
        .putNull("expires_at")
        .put("filename", filename)
        .put("purpose", purpose)
        .put("status", "processed")
        .putNull("status_details");
  }

  private static String output(BatchRecord b, Kind kind) {
    return OpenAiIds.output(b.id(), kind);
  }

  private static @Nullable Long at(BatchRecord b, BatchStatus status, @Nullable Long ended) {
    return b.status() == status ? ended : null;
  }

  /** The window the batch was given; for a native batch with a deadline, that span in seconds. */
  private static @Nullable String window(BatchRecord b, BatchConfig c, JsonObject openAi) {
    String given = openAi.getString("completion_window");
    if (given != null || c.deadline() == null) {
      return given;
    }
    Instant start = b.createdAt().toInstant();
    return Math.max(1, c.deadline().getEpochSecond() - start.getEpochSecond()) + "s";
  }

  private static @Nullable JsonObject errors(BatchRecord b) {
    if (b.status() != BatchStatus.FAILED) {
      return null;
    }
    String why = b.statusReason() == null ? "The batch failed." : b.statusReason();
    return new JsonObject()
        .put("object", "list")
        .put(
            "data",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("code", "batch_failed")
                        .put("message", why)
                        .putNull("param")
                        .putNull("line")));
  }

  private static @Nullable Long seconds(@Nullable OffsetDateTime t) {
    return t == null ? null : t.toEpochSecond();
  }
}
