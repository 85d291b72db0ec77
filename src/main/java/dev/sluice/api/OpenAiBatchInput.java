package dev.sluice.api;

import dev.sluice.http.Problem;
import dev.sluice.http.StorableText;
import dev.sluice.http.StrictJson;
import dev.sluice.http.Utf8Text;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a batch written in the OpenAI batch input format — one JSON line per request, {@code
 * custom_id}, {@code method}, {@code url}, {@code body} — into the JSON create body, so both forms
 * are checked by the same rules. The batch's name and limits come from query parameters; its model
 * from the lines (all must agree); each line's other body members become that item's parameters.
 */
public final class OpenAiBatchInput {

  private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");

  private static final String CHAT = "/v1/chat/completions";

  private OpenAiBatchInput() {}

  static JsonObject toCreateBody(Buffer raw, MultiMap query) {
    return toCreateBody(raw, query, null);
  }

  /**
   * The create body of the lines; with an {@code endpoint}, as the OpenAI Batch API checks a file:
   * every line must name {@code method} POST and that {@code url}.
   */
  public static JsonObject toCreateBody(Buffer raw, MultiMap query, @Nullable String endpoint) {
    JsonArray items = new JsonArray();
    String model = null;
    String[] lines = LINE_BREAK.split(Utf8Text.decode(raw, "The request body"), -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String at = "line " + (i + 1);
      JsonObject line = parse(lines[i], at);
      JsonObject body = request(line, at, endpoint);
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
      items.add(item);
    }
    if (items.isEmpty()) {
      throw Problem.badRequest("The request body has no JSONL lines.");
    }
    JsonObject create =
        new JsonObject()
            .put("name", text(query, "name", "Imported batch of " + items.size() + " requests"))
            .put("model", model)
            .put("items", items);
    number(query, "concurrency", create);
    number(query, "maxAttempts", create);
    number(query, "tokenBudget", create);
    return create;
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

  private static JsonObject request(JsonObject line, String at, @Nullable String endpoint) {
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
