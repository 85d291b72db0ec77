package dev.sluice.batch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Fills {@code {{name}}} placeholders of a batch's template with an item's variables. */
public final class PromptTemplate {

  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");

  private PromptTemplate() {}

  /** The placeholder names a template uses, in order of first use. */
  public static List<String> names(String template) {
    List<String> names = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!names.contains(m.group(1))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** An item's chat messages as role/content pairs; empty for prompt and template items. */
  public static List<Map<String, String>> messages(JsonObject input) {
    if (!(input.getValue("messages") instanceof JsonArray messages)) {
      return List.of();
    }
    List<Map<String, String>> out = new ArrayList<>(messages.size());
    for (Object m : messages) {
      if (m instanceof JsonObject o) {
        out.add(Map.of("role", o.getString("role", "user"), "content", o.getString("content", "")));
      }
    }
    return out;
  }

  /** Whether a message list has a message from the user. */
  public static boolean hasUserMessage(JsonArray messages) {
    for (Object m : messages) {
      if (m instanceof JsonObject o && "user".equals(o.getString("role"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The prompt of an item: its {@code prompt}, the template filled with its {@code vars}, or the
   * last user message of its {@code messages}.
   */
  public static String render(@Nullable String template, JsonObject input) {
    if (input.getValue("messages") instanceof JsonArray messages) {
      String last = "";
      for (Object m : messages) {
        if (m instanceof JsonObject o && "user".equals(o.getString("role"))) {
          last = o.getString("content", "");
        }
      }
      return last;
    }
    String prompt = input.getString("prompt");
    if (prompt != null || template == null) {
      return prompt == null ? "" : prompt;
    }
    JsonObject vars = input.getJsonObject("vars", new JsonObject());
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Object value = vars.getValue(m.group(1));
      m.appendReplacement(
          out, Matcher.quoteReplacement(value == null ? "" : String.valueOf(value)));
    }
    m.appendTail(out);
    return out.toString();
  }
}
