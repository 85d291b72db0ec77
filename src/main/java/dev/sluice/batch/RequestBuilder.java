package dev.sluice.batch;

import dev.sluice.generate.GenerationRequest;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Turns a batch's pending items into generation requests, with the batch's settings. */
final class RequestBuilder {

  private static final long DEFAULT_COMPLETION_TOKENS = 256;

  private final UUID batchId;
  private final BatchConfig config;

  RequestBuilder(UUID batchId, BatchConfig config) {
    this.batchId = batchId;
    this.config = config;
  }

  /** The request for the item's next attempt. */
  GenerationRequest build(PendingItem item) {
    return new GenerationRequest(
        batchId,
        item.seq(),
        item.itemId(),
        item.round(),
        item.attempts() + 1,
        config.model(),
        config.system(),
        PromptTemplate.render(config.template(), item.input()),
        PromptTemplate.messages(item.input()),
        params(item));
  }

  /** The tokens an attempt may use: a quarter of the prompt's characters, plus the answer. */
  long estimateTokens(PendingItem item) {
    Object max = config.params().get("max_tokens");
    long completion = max instanceof Number n ? n.longValue() : DEFAULT_COMPLETION_TOKENS;
    return PromptTemplate.render(config.template(), item.input()).length() / 4 + completion;
  }

  /** The batch's generation parameters, with the item's own over them. */
  private Map<String, Object> params(PendingItem item) {
    JsonObject own = item.input().getJsonObject("params");
    if (own == null) {
      return config.params();
    }
    Map<String, Object> merged = new HashMap<>(config.params());
    own.forEach(e -> merged.put(e.getKey(), e.getValue()));
    return merged;
  }
}
