package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/**
 * An item as stored: its place in the batch, its id and input, its state, and what its last attempt
 * produced (text or error, token usage), whether it finished after its batch was cancelled, and
 * when it started and finished.
 */
public record ItemRecord(
    int seq,
    String itemId,
    ItemStatus status,
    JsonObject input,
    @Nullable String output,
    @Nullable JsonObject error,
    int attempts,
    @Nullable JsonObject usage,
    boolean afterCancel,
    @Nullable OffsetDateTime startedAt,
    @Nullable OffsetDateTime finishedAt) {}
