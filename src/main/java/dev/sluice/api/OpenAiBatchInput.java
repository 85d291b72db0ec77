package dev.sluice.api;

import dev.sluice.http.Problem;
import dev.sluice.http.StorableText;
import dev.sluice.http.StrictJson;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * Reads a batch written in the OpenAI batch input format — one JSON line per request, {@code
 * custom_id}, {@code method}, {@code url}, {@code body} — a line at a time (a native JSONL body as
 * it arrives, an uploaded file a page at a time), turning each into an item of the JSON create
 * body, so both forms are checked by the same rules. The batch's name and limits come from query
 * parameters; its model from the lines (all must agree); each line's other body members become that
 * item's parameters. A line's own problem (422 naming {@code line N}) comes before any item's.
 */
final class OpenAiBatchInput {

  private static final String CHAT = "/v1/chat/completions";

  private final @Nullable String endpoint;
  private final ItemIntake intake;
  private int lineNo;
  private @Nullable String model;
  private @Nullable Problem refusal;

  /**
   * Lines for {@code intake}; with an {@code endpoint}, as the OpenAI Batch API checks a file:
   * every line must name {@code method} POST and that {@code url}.
   */
  OpenAiBatchInput(@Nullable String endpoint, ItemIntake intake) {
    this.endpoint = endpoint;
    this.intake = intake;
    intake.begin(ItemRules.Template.NONE);
  }

  /** The next line, without its line break; a blank line is skipped (but counted). */
  void line(String text) {
    lineNo++;
    if (text.isBlank()) {
      return;
    }
    if (refusal != null) {
      intake.accept(null); // counted only: nothing more is stored
      return;
    }
    JsonObject item;
    try {
      item = item(text, "line " + lineNo);
    } catch (Problem p) {
      refusal = p;
      intake.stop();
      intake.accept(null);
      return;
    }
    intake.accept(item);
  }

  /**
   * The create body's own members, once every line is read: the name (the query's {@code name},
   * else "Imported batch of N requests"), the lines' model and the query's numbers. Throws the
   * first line's refusal, a 400 when there were no requests, or the query's refusal.
   */
  JsonObject members(MultiMap query) {
    if (refusal != null) {
      throw refusal;
    }
    int requests = intake.count();
    if (requests == 0) {
      throw Problem.badRequest("The request body has no JSONL lines.");
    }
    String fallback = "Imported batch of " + requests + " requests";
    JsonObject create =
        new JsonObject().put("name", text(query, "name", fallback)).put("model", model);
    number(query, "concurrency", create);
    number(query, "maxAttempts", create);
    number(query, "tokenBudget", create);
    return create;
  }

  private JsonObject item(String text, String at) {
    JsonObject line = parse(text, at);
    JsonObject body = request(line, at);
    Object lineModel = body.getValue("model");
    if (!(lineModel instanceof String m) || m.isBlank()) {
      throw Problem.invalid(at + ".body.model", "must name the model.");
    }
    if (model != null && !model.equals(m)) {
      throw Problem.invalid(
          at + ".body.model",
          "is '" + m + "' but earlier lines use '" + model + "'; one batch runs one model.");
    }
    model = m;
    JsonObject item =
        new JsonObject()
            .put("id", line.getValue("custom_id"))
            .put("messages", body.getValue("messages"));
    JsonObject params = body.copy();
    params.remove("model");
    params.remove("messages");
    if (!params.isEmpty()) {
      item.put("params", params);
    }
    return item;
  }

  private static JsonObject parse(String line, String at) {
    Object value;
    try {
      value = StrictJson.value(line);
    } catch (StrictJson.Invalid e) {
      throw Problem.invalid(at, "is not valid JSON: " + e.why());
    }
    if (!(value instanceof JsonObject object)) {
      throw Problem.invalid(at, "is not a JSON object.");
    }
    StorableText.check(object, at);
    return object;
  }

  private JsonObject request(JsonObject line, String at) {
    if (!(line.getValue("custom_id") instanceof String id) || id.isBlank()) {
      throw Problem.invalid(at + ".custom_id", "must be a non-empty string.");
    }
    Object method = line.getValue("method");
    if ((method != null || endpoint != null) && !"POST".equals(method)) {
      throw Problem.invalid(at + ".method", "must be POST.");
    }
    Object url = line.getValue("url");
    if (endpoint != null && !endpoint.equals(url)) {
      throw Problem.invalid(at + ".url", "must be " + endpoint + ", the batch's endpoint.");
    }
    if (url != null && !CHAT.equals(url)) {
      throw Problem.invalid(at + ".url", "must be " + CHAT + "; Sluice runs chat completions.");
    }
    if (!(line.getValue("body") instanceof JsonObject body)) {
      throw Problem.invalid(at + ".body", "must be the chat-completions request object.");
    }
    return body;
  }

  private static String text(MultiMap query, String name, String fallback) {
    String value = query.get(name);
    if (value != null) {
      StorableText.check(value, name);
    }
    return value == null || value.isBlank() ? fallback : value;
  }

  private static void number(MultiMap query, String name, JsonObject into) {
    @Nullable String value = query.get(name);
    if (value == null) {
      return;
    }
    try {
      into.put(name, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw Problem.invalid(name, "must be a whole number; got '" + value + "'.");
    }
  }
}
