package dev.sluice.api;

import dev.sluice.batch.BatchConfig;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.NewBatch;
import dev.sluice.batch.PromptTemplate;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Checks a create-batch body field by field and turns it into a {@link NewBatch}; the first problem
 * found is thrown as a {@link Problem} naming the field (422), or as a 413 when the batch or a
 * prompt is over the configured limits. An output schema is checked and compiled off the event
 * loop, when the batch is created.
 */
public final class CreateBatchParser {

  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "model",
          "system",
          "template",
          "params",
          "concurrency",
          "maxAttempts",
          "tokenBudget",
          "outputSchema",
          "deadline",
          "completionWindow",
          "items");
  private static final Set<String> ITEM_FIELDS =
      Set.of("id", "prompt", "vars", "messages", "params");
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");
  private static final int MAX_NAME = 200;
  private static final int MAX_ID = 200;
  private static final int MAX_ATTEMPTS = 20;

  private final HttpSettings limits;
  private final BatchSettings batch;

  public CreateBatchParser(HttpSettings limits, BatchSettings batch) {
    this.limits = limits;
    this.batch = batch;
  }

  public NewBatch parse(
      JsonObject body, String owner, @Nullable String idempotencyKey, String requestHash) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw Problem.invalid(
            field,
            "is not a field of a batch; expected one of "
                + String.join(", ", FIELDS.stream().sorted().toList())
                + ".");
      }
    }
    String name = requiredText(body, "name", MAX_NAME);
    String model = optionalText(body, "model", MAX_NAME);
    String system = optionalText(body, "system", limits.maxPromptChars());
    String template = optionalText(body, "template", limits.maxPromptChars());
    Map<String, Object> params = params(body);
    int concurrency =
        optionalInt(body, "concurrency", 1, batch.maxConcurrency(), batch.defaultConcurrency());
    int maxAttempts = optionalInt(body, "maxAttempts", 1, MAX_ATTEMPTS, batch.defaultMaxAttempts());
    Long tokenBudget = tokenBudget(body);
    JsonObject outputSchema = outputSchema(body);
    List<NewBatch.NewItem> items = items(body, template);
    BatchConfig config =
        new BatchConfig(
            model == null ? batch.defaultModel() : model,
            system,
            template,
            params,
            concurrency,
            maxAttempts,
            tokenBudget,
            outputSchema,
            deadline(body),
            null);
    return new NewBatch(UUID.randomUUID(), owner, name, config, items, idempotencyKey, requestHash);
  }

  /**
   * When the batch expires: {@code deadline} (an ISO-8601 instant) or {@code completionWindow} (a
   * duration such as "24h", counted from now); with both, the earlier. Either must lie ahead.
   */
  static @Nullable Instant deadline(JsonObject body) {
    Instant deadline = null;
    Object at = body.getValue("deadline");
    if (at != null) {
      try {
        deadline = Instant.parse(String.valueOf(at));
      } catch (DateTimeParseException e) {
        throw Problem.invalid(
            "deadline", "must be an ISO-8601 instant such as \"2030-01-31T18:00:00Z\".");
      }
      if (!(at instanceof String) || !deadline.isAfter(Instant.now())) {
        throw Problem.invalid("deadline", "must be an ISO-8601 instant in the future.");
      }
    }
    Object window = body.getValue("completionWindow");
    if (window != null) {
      Duration d =
          (window instanceof String text
                  ? CompletionWindow.parse(text)
                  : Optional.<Duration>empty())
              .orElseThrow(() -> Problem.invalid("completionWindow", CompletionWindow.RULE + "."));
      Instant end = Instant.now().plus(d);
      deadline = deadline == null || end.isBefore(deadline) ? end : deadline;
    }
    return deadline;
  }

  private static @Nullable Long tokenBudget(JsonObject body) {
    Object raw = body.getValue("tokenBudget");
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof Integer || raw instanceof Long) || ((Number) raw).longValue() < 1) {
      throw Problem.invalid("tokenBudget", "must be a whole number of tokens, at least 1.");
    }
    return ((Number) raw).longValue();
  }

  /**
   * Only that it is an object: its bounds, its references and whether it compiles are checked on a
   * worker thread when the batch is created (see {@link BatchService#create}).
   */
  private static @Nullable JsonObject outputSchema(JsonObject body) {
    Object raw = body.getValue("outputSchema");
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject schema)) {
      throw Problem.invalid("outputSchema", "must be a JSON Schema object.");
    }
    return schema;
  }

  private List<NewBatch.NewItem> items(JsonObject body, @Nullable String template) {
    Object raw = body.getValue("items");
    if (raw == null) {
      throw Problem.invalid("items", "is required: a list of {id, prompt} or {id, vars} objects.");
    }
    if (!(raw instanceof JsonArray array)) {
      throw Problem.invalid("items", "must be a list.");
    }
    if (array.isEmpty()) {
      throw Problem.invalid("items", "must hold at least one item.");
    }
    if (array.size() > limits.maxItems()) {
      throw Problem.tooLarge(
              "A batch may hold at most "
                  + limits.maxItems()
                  + " items; this one has "
                  + array.size()
                  + ".")
          .with("field", "items");
    }
    List<String> names = template == null ? List.of() : PromptTemplate.names(template);
    Set<String> seen = new HashSet<>();
    List<NewBatch.NewItem> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      items.add(item(array.getValue(i), "items[" + i + "]", template, names, seen));
    }
    return items;
  }

  private NewBatch.NewItem item(
      @Nullable Object raw,
      String at,
      @Nullable String template,
      List<String> names,
      Set<String> seen) {
    if (!(raw instanceof JsonObject item)) {
      throw Problem.invalid(at, "must be an object with an id and a prompt, vars or messages.");
    }
    for (String field : item.fieldNames()) {
      if (!ITEM_FIELDS.contains(field)) {
        throw Problem.invalid(
            at + "." + field,
            "is not a field of an item; expected id, prompt, vars, messages or params.");
      }
    }
    String id = requiredText(item, "id", MAX_ID, at + ".id");
    if (!seen.add(id)) {
      throw Problem.invalid(
          at + ".id",
          "duplicates the item id '" + id + "'; item ids must be unique within a batch.");
    }
    boolean hasPrompt = item.containsKey("prompt");
    boolean hasVars = item.containsKey("vars");
    boolean hasMessages = item.containsKey("messages");
    if ((hasPrompt ? 1 : 0) + (hasVars ? 1 : 0) + (hasMessages ? 1 : 0) != 1) {
      throw Problem.invalid(at, "must have exactly one of prompt, vars or messages.");
    }
    JsonObject input;
    if (hasPrompt) {
      String prompt = requiredText(item, "prompt", Integer.MAX_VALUE, at + ".prompt");
      input = new JsonObject().put("prompt", prompt);
    } else if (hasVars) {
      input = new JsonObject().put("vars", vars(item, at + ".vars", template, names));
    } else {
      input = new JsonObject().put("messages", messages(item, at + ".messages"));
    }
    if (item.containsKey("params")) {
      input.put("params", new JsonObject(params(item.getValue("params"), at + ".params")));
    }
    int length = PromptTemplate.render(template, input).length();
    if (length > limits.maxPromptChars()) {
      throw Problem.tooLarge(
              at
                  + ": the prompt has "
                  + length
                  + " characters; at most "
                  + limits.maxPromptChars()
                  + " are allowed.")
          .with("field", at + (hasPrompt ? ".prompt" : hasVars ? ".vars" : ".messages"));
    }
    return new NewBatch.NewItem(id, input);
  }

  private static JsonArray messages(JsonObject item, String at) {
    if (!(item.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
      throw Problem.invalid(at, "must be a non-empty list of {role, content} messages.");
    }
    for (int i = 0; i < messages.size(); i++) {
      String where = at + "[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject m)) {
        throw Problem.invalid(where, "must be an object with a role and a content.");
      }
      if (!ROLES.contains(String.valueOf(m.getValue("role")))) {
        throw Problem.invalid(where + ".role", "must be system, user or assistant.");
      }
      if (!(m.getValue("content") instanceof String)) {
        throw Problem.invalid(where + ".content", "must be a string.");
      }
    }
    if (!PromptTemplate.hasUserMessage(messages)) {
      throw Problem.invalid(at, "needs at least one message with role user.");
    }
    return messages;
  }

  private static JsonObject vars(
      JsonObject item, String at, @Nullable String template, List<String> names) {
    if (template == null) {
      throw Problem.invalid(
          at, "needs a template on the batch to fill; give a prompt instead, or add a template.");
    }
    if (!(item.getValue("vars") instanceof JsonObject vars)) {
      throw Problem.invalid(at, "must be an object of variable names to values.");
    }
    for (Map.Entry<String, Object> e : vars) {
      Object v = e.getValue();
      if (v instanceof JsonObject || v instanceof JsonArray) {
        throw Problem.invalid(at + "." + e.getKey(), "must be a string, number or boolean.");
      }
    }
    for (String name : names) {
      if (vars.getValue(name) == null) {
        throw Problem.invalid(at + "." + name, "is used by the template but missing.");
      }
    }
    return vars;
  }

  private static Map<String, Object> params(JsonObject body) {
    return params(body.getValue("params"), "params");
  }

  private static Map<String, Object> params(@Nullable Object raw, String at) {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject params)) {
      throw Problem.invalid(
          at, "must be an object such as {\"temperature\": 0.7, \"max_tokens\": 400}.");
    }
    Object temperature = params.getValue("temperature");
    if (temperature != null
        && !(temperature instanceof Number t && t.doubleValue() >= 0 && t.doubleValue() <= 2)) {
      throw Problem.invalid(at + ".temperature", "must be a number from 0 to 2.");
    }
    Object maxTokens = params.getValue("max_tokens");
    if (maxTokens != null && !(maxTokens instanceof Integer || maxTokens instanceof Long)) {
      throw Problem.invalid(at + ".max_tokens", "must be a whole number of at least 1.");
    }
    if (maxTokens instanceof Number n && n.longValue() < 1) {
      throw Problem.invalid(at + ".max_tokens", "must be a whole number of at least 1.");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    params.forEach(
        e -> {
          if (e.getValue() != null) {
            out.put(e.getKey(), e.getValue());
          }
        });
    return out;
  }

  private static String requiredText(JsonObject json, String field, int max) {
    return requiredText(json, field, max, field);
  }

  private static String requiredText(JsonObject json, String field, int max, String at) {
    Object raw = json.getValue(field);
    if (raw == null) {
      throw Problem.invalid(at, "is required.");
    }
    if (!(raw instanceof String text) || text.isBlank()) {
      throw Problem.invalid(at, "must be a non-empty string.");
    }
    if (text.length() > max) {
      throw Problem.invalid(at, "must be at most " + max + " characters long.");
    }
    return text;
  }

  private static @Nullable String optionalText(JsonObject json, String field, int max) {
    return json.getValue(field) == null ? null : requiredText(json, field, max);
  }

  private static int optionalInt(JsonObject json, String field, int min, int max, int fallback) {
    Object raw = json.getValue(field);
    if (raw == null) {
      return fallback;
    }
    if (!(raw instanceof Integer || raw instanceof Long)
        || ((Number) raw).longValue() < min
        || ((Number) raw).longValue() > max) {
      throw Problem.invalid(field, "must be a whole number from " + min + " to " + max + ".");
    }
    return ((Number) raw).intValue();
  }
}
