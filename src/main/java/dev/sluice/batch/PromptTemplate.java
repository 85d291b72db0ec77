package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
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

  /** The prompt of an item: its {@code prompt}, or the template filled with its {@code vars}. */
  public static String render(@Nullable String template, JsonObject input) {
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
