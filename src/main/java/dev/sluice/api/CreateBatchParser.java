package dev.sluice.api;

import dev.sluice.batch.BatchConfig;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.NewBatch;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks the fields of a create-batch body other than its items — those {@link ItemRules} checks,
 * one at a time as they arrive — and puts the checked batch together as a {@link NewBatch}. The
 * first problem found is thrown as a {@link Problem} naming the field (422), or as a 413 when the
 * batch is over the configured limits. The order of the checks is fixed, whatever order the body
 * sends its fields in: unknown fields, then name, model, system, template, params, concurrency,
 * maxAttempts, tokenBudget and outputSchema, then the items, then the deadline. An output schema is
 * checked and compiled off the event loop, when the batch is created.
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
  private static final int MAX_NAME = 200;
  private static final int MAX_ATTEMPTS = 20;

  private final HttpSettings limits;
  private final BatchSettings batch;
  private final ItemRules items;

  public CreateBatchParser(HttpSettings limits, BatchSettings batch) {
    this.limits = limits;
    this.batch = batch;
    this.items = new ItemRules(limits.maxPromptChars());
  }

  /** The batch's own fields, checked; its deadline is checked last, in {@link #batch}. */
  record Head(String name, BatchConfig config, ItemRules.Template template) {}

  /** The rules each item is checked by. */
  ItemRules items() {
    return items;
  }

  /** The most items a batch may hold. */
  int maxItems() {
    return limits.maxItems();
  }

  /**
   * Checks the fields of a body that are not its items ({@code members}: every member but {@code
   * items}, in the order they were sent).
   */
  Head head(JsonObject members) {
    for (String field : members.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw Problem.invalid(
            field,
            "is not a field of a batch; expected one of "
                + String.join(", ", FIELDS.stream().sorted().toList())
                + ".");
      }
    }
    String name = requiredText(members, "name", MAX_NAME);
    String model = optionalText(members, "model", MAX_NAME);
    String system = optionalText(members, "system", limits.maxPromptChars());
    String template = optionalText(members, "template", limits.maxPromptChars());
    Map<String, Object> params = ItemRules.params(members.getValue("params"), "params");
    int concurrency =
        optionalInt(members, "concurrency", 1, batch.maxConcurrency(), batch.defaultConcurrency());
    int maxAttempts =
        optionalInt(members, "maxAttempts", 1, MAX_ATTEMPTS, batch.defaultMaxAttempts());
    Long tokenBudget = tokenBudget(members);
    JsonObject outputSchema = outputSchema(members);
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
            null,
            null);
    return new Head(name, config, ItemRules.Template.of(template));
  }

  /**
   * The template the items are to be checked against, if the members read so far settle it: null
   * while a template may still come. A template that breaks its rules counts as none, since the
   * refusal of the template is the answer then.
   */
  ItemRules.@Nullable Template templateSoFar(JsonObject members) {
    if (!members.containsKey("template")) {
      return null;
    }
    try {
      return ItemRules.Template.of(optionalText(members, "template", limits.maxPromptChars()));
    } catch (Problem p) {
      return ItemRules.Template.NONE;
    }
  }

  /**
   * The items as a whole: sent ({@code sent}), as a list ({@code list}), and not an empty one; the
   * limit on their number is {@link ItemIntake}'s, as they arrive.
   */
  static void checkItems(boolean sent, boolean list, int count) {
    if (!sent) {
      throw Problem.invalid("items", "is required: a list of {id, prompt} or {id, vars} objects.");
    }
    if (!list) {
      throw Problem.invalid("items", "must be a list.");
    }
    if (count == 0) {
      throw Problem.invalid("items", "must hold at least one item.");
    }
  }

  /**
   * The new batch once its body has been read: checks its own fields ({@code members}: all but
   * {@code items}, in the order sent), its items as a whole (sent, as a list), each item (the
   * intake's verdict, which waits for what the intake is still storing), then its deadline; the
   * batch holds the items not yet handed to its draft.
   */
  Future<NewBatch> batch(
      JsonObject members,
      boolean itemsSent,
      boolean itemsList,
      ItemIntake intake,
      CreateRequest r) {
    Head head = head(members);
    checkItems(itemsSent, itemsList, intake.count());
    return intake
        .finish(head.template())
        .map(
            rest ->
                new NewBatch(
                    r.id(),
                    r.owner(),
                    head.name(),
                    head.config().with(deadline(members), null),
                    rest,
                    r.idempotencyKey(),
                    r.requestHash()));
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

  private static String requiredText(JsonObject json, String field, int max) {
    return requiredText(json, field, max, field);
  }

  static String requiredText(JsonObject json, String field, int max, String at) {
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
