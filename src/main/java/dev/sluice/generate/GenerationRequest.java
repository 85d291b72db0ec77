package dev.sluice.generate;

import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One attempt at one item: which round (retry-failed starts a new one) and which attempt within it,
 * the rendered prompt, the batch's model, system prompt and parameters, and an idempotency key that
 * names the attempt.
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
    Map<String, Object> params) {

  public GenerationRequest {
    params = Map.copyOf(params);
  }

  public String idempotencyKey() {
    return batchId + ":" + seq + ":" + round + ":" + attempt;
  }
}
