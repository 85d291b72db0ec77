package dev.sluice.generate;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One attempt at one item: which round (retry-failed starts a new one) and which attempt within it,
 * the rendered prompt (or, for chat items, the whole conversation in {@code messages}, each with a
 * role and a content), the batch's model, system prompt and parameters (the item's own over the
 * batch's), and an idempotency key that names the attempt.
 */
public record GenerationRequest(
    UUID batchId,
    int seq,
    String itemId,
    int round,
    int attempt,
    String model,
    @Nullable String system,
    String prompt,
    List<Map<String, String>> messages,
    Map<String, Object> params) {

  public GenerationRequest {
    messages = List.copyOf(messages);
    params = Map.copyOf(params);
  }

  public String idempotencyKey() {
    return batchId + ":" + seq + ":" + round + ":" + attempt;
  }
}
