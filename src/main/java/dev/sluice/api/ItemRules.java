package dev.sluice.api;

import dev.sluice.batch.NewBatch;
import dev.sluice.batch.PromptTemplate;
import dev.sluice.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The rules of one item of a create body, checked field by field in a fixed order; the first
 * problem is thrown as a {@link Problem} naming the field ({@code items[3].vars.topic}), a 413 for
 * a prompt over {@code limits.max-prompt-chars}. Only an item with {@code vars} depends on the
 * batch's template; when the template is not known yet (it may come after the items in the body),
 * such an item is checked {@link #checkAhead ahead} as far as it can be and {@link #checkStored the
 * rest} once the template is known, from what was stored.
 */
final class ItemRules {

  private static final Set<String> ITEM_FIELDS =
      Set.of("id", "prompt", "vars", "messages", "params");
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");
  private static final int MAX_ID = 200;

  /** A batch's template (or none) and the placeholder names it uses. */
  record Template(@Nullable String text, List<String> names) {
    static final Template NONE = new Template(null, List.of());

    static Template of(@Nullable String text) {
      return text == null ? NONE : new Template(text, PromptTemplate.names(text));
    }
  }

  private final int maxPromptChars;

  ItemRules(int maxPromptChars) {
    this.maxPromptChars = maxPromptChars;
  }

  /** Checks the item at {@code at} against every rule and gives it as it is stored. */
  NewBatch.NewItem check(@Nullable Object raw, String at, Template template, IdSet seen) {
    JsonObject item = shape(raw, at, seen);
    return new NewBatch.NewItem(item.getString("id"), input(item, at, template));
  }

  /**
   * Checks the item as far as it can be without the template: all of it but an item with {@code
   * vars}, whose vars, params and prompt length wait for {@link #checkStored}; such an item is
   * stored with its vars as sent and its params without null members (as {@link #check} would).
   */
  NewBatch.NewItem checkAhead(@Nullable Object raw, String at, IdSet seen) {
    JsonObject item = shape(raw, at, seen);
    if (!item.containsKey("vars")) {
      return new NewBatch.NewItem(item.getString("id"), input(item, at, Template.NONE));
    }
    JsonObject input = new JsonObject().put("vars", item.getValue("vars"));
    if (item.containsKey("params")) {
      Object params = item.getValue("params");
      input.put(
          "params",
          params == null
              ? new JsonObject()
              : params instanceof JsonObject o ? withoutNulls(o) : params);
    }
    return new NewBatch.NewItem(item.getString("id"), input);
  }

  /** Whether {@link #checkAhead} left part of this stored item for {@link #checkStored}. */
  static boolean waitsForTemplate(NewBatch.NewItem item) {
    return item.input().containsKey("vars");
  }

  /** The checks {@link #checkAhead} left, on the item as stored, now that the template is known. */
  void checkStored(NewBatch.NewItem stored, String at, Template template) {
    input(stored.input(), at, template);
  }

  /** The item's shape: an object of known fields, a unique id, one of prompt, vars or messages. */
  private static JsonObject shape(@Nullable Object raw, String at, IdSet seen) {
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
    String id = CreateBatchParser.requiredText(item, "id", MAX_ID, at + ".id");
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
    return item;
  }

  /** The input stored for an item of that shape: its prompt, vars or messages, and params. */
  private JsonObject input(JsonObject item, String at, Template template) {
    boolean hasPrompt = item.containsKey("prompt");
    boolean hasVars = item.containsKey("vars");
    JsonObject input;
    if (hasPrompt) {
      String prompt =
          CreateBatchParser.requiredText(item, "prompt", Integer.MAX_VALUE, at + ".prompt");
      input = new JsonObject().put("prompt", prompt);
    } else if (hasVars) {
      input = new JsonObject().put("vars", vars(item, at + ".vars", template));
    } else {
      input = new JsonObject().put("messages", messages(item, at + ".messages"));
    }
    if (item.containsKey("params")) {
      input.put("params", new JsonObject(params(item.getValue("params"), at + ".params")));
    }
    int length = PromptTemplate.render(template.text(), input).length();
    if (length > maxPromptChars) {
      throw Problem.tooLarge(
              at
                  + ": the prompt has "
                  + length
                  + " characters; at most "
                  + maxPromptChars
                  + " are allowed.")
          .with("field", at + (hasPrompt ? ".prompt" : hasVars ? ".vars" : ".messages"));
    }
    return input;
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

  private static JsonObject vars(JsonObject item, String at, Template template) {
    if (template.text() == null) {
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
    for (String name : template.names()) {
      if (vars.getValue(name) == null) {
        throw Problem.invalid(at + "." + name, "is used by the template but missing.");
      }
    }
    return vars;
  }

  /** Generation parameters: checked where Sluice reads them, null members dropped. */
  static Map<String, Object> params(@Nullable Object raw, String at) {
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
    return withoutNulls(params).getMap();
  }

  private static JsonObject withoutNulls(JsonObject object) {
    Map<String, Object> out = new LinkedHashMap<>();
    object.forEach(
        e -> {
          if (e.getValue() != null) {
            out.put(e.getKey(), e.getValue());
          }
        });
    return new JsonObject(out);
  }
}
