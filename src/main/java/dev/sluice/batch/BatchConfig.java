package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a batch asked to be run: model, prompts, generation parameters and limits, an optional token
 * budget (the batch pauses when it is spent) and an optional JSON Schema every output must meet.
 */
public record BatchConfig(
    String model,
    @Nullable String system,
    @Nullable String template,
    Map<String, Object> params,
    int concurrency,
    int maxAttempts,
    @Nullable Long tokenBudget,
    @Nullable JsonObject outputSchema) {

  public BatchConfig {
    params = Map.copyOf(params);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("model", model)
        .put("system", system)
        .put("template", template)
        .put("params", new JsonObject(params))
        .put("concurrency", concurrency)
        .put("maxAttempts", maxAttempts)
        .put("tokenBudget", tokenBudget)
        .put("outputSchema", outputSchema);
  }

  public static BatchConfig fromJson(JsonObject json) {
    JsonObject params = json.getJsonObject("params", new JsonObject());
    return new BatchConfig(
        json.getString("model", ""),
        json.getString("system"),
        json.getString("template"),
        params.getMap(),
        json.getInteger("concurrency", 1),
        json.getInteger("maxAttempts", 1),
        json.getLong("tokenBudget"),
        json.getJsonObject("outputSchema"));
  }
}
