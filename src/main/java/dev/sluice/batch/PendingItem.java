package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * A pending item read into a batch's dispatch window: its attempts in the current round (retry-
 * failed starts a new round), and {@code notBeforeMillis}, the epoch time before which it must not
 * run (a retry backoff), or null.
 */
public record PendingItem(
    int seq,
    String itemId,
    JsonObject input,
    int round,
    int attempts,
    @Nullable Long notBeforeMillis) {}
