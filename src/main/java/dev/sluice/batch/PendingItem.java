package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * A pending item read into a batch's dispatch window; {@code notBeforeMillis} is the epoch time
 * before which it must not run (a retry backoff), or null.
 */
public record PendingItem(
    int seq, String itemId, JsonObject input, int attempts, @Nullable Long notBeforeMillis) {}
