package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * The stored outcome of one attempt: the item's next state, its attempts, the text or the error,
 * the token usage, the retry delay when it went back to pending, and whether the batch had already
 * been cancelled.
 */
public record ItemResult(
    int seq,
    ItemStatus status,
    int attempts,
    @Nullable String output,
    @Nullable JsonObject error,
    @Nullable ItemUsage usage,
    @Nullable Long retryDelayMillis,
    boolean afterCancel) {}
