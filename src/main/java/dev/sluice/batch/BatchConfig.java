package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a batch asked to be run: model, prompts, generation parameters and limits, an optional token
 * budget (the batch pauses when it is spent), an optional JSON Schema every output must meet, an
 * optional deadline (the batch expires when it passes) and, for a batch made through the OpenAI
 * Batch API, what that API was told ({@code input_file_id}, {@code endpoint}, {@code
 * completion_window}, {@code metadata}).
 */
public record BatchConfig(
    String model,
    @Nullable String system,
    @Nullable String template,
    Map<String, Object> params,
    int concurrency,
    int maxAttempts,
    @Nullable Long tokenBudget,
    @Nullable JsonObject outputSchema,
    @Nullable Instant deadline,
    @Nullable JsonObject openAi) {

  public BatchConfig {
    params = Map.copyOf(params);
  }

  /** The same settings with a deadline and the OpenAI Batch API's facts. */
  public BatchConfig with(@Nullable Instant newDeadline, @Nullable JsonObject newOpenAi) {
    return new BatchConfig(
        model,
        system,
        template,
        params,
        concurrency,
        maxAttempts,
        tokenBudget,
        outputSchema,
        newDeadline,
        newOpenAi);
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
        .put("outputSchema", outputSchema)
        .put("deadline", deadline == null ? null : deadline.toString())
        .put("openAi", openAi);
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
        json.getJsonObject("outputSchema"),
        json.getString("deadline") == null ? null : Instant.parse(json.getString("deadline")),
        json.getJsonObject("openAi"));
  }
}
