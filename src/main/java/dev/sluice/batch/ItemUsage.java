package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * What one item's answer used and why it stopped, as its three columns store it (migration V9); the
 * API shows it as {@link #toJson}.
 */
public record ItemUsage(int promptTokens, int completionTokens, @Nullable String finishReason) {

  /** The object an item's {@code usage} shows. */
  JsonObject toJson() {
    return new JsonObject()
        .put("promptTokens", promptTokens)
        .put("completionTokens", completionTokens)
        .put("finishReason", finishReason);
  }
}
