package dev.sluice.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks that text can be stored as it was sent: PostgreSQL refuses the NUL character in {@code
 * text} and {@code jsonb}, and half a surrogate pair (a JSON escape such as {@code \ud800} alone)
 * is not a character at all and would be stored as {@code ?}, so two different strings could become
 * one. Either is a 422 naming the field ({@code items[3].vars.topic}), raised before anything is
 * written.
 */
public final class StorableText {

  private StorableText() {}

  /**
   * Walks every string and member name in {@code tree}; {@code path} names the tree itself ({@code
   * ""} for a whole body, {@code line 3} for a line of a file).
   */
  public static void check(@Nullable Object tree, String path) {
    if (storable(tree)) {
      return; // the common case, without building a path for every member on the way
    }
    walk(tree, path);
  }

  /** Whether every string and member name in the tree can be stored. */
  public static boolean storable(@Nullable Object tree) {
    if (tree instanceof String text) {
      return problem(text) == null;
    } else if (tree instanceof JsonObject object) {
      for (Map.Entry<String, Object> member : object) {
        if (problem(member.getKey()) != null || !storable(member.getValue())) {
          return false;
        }
      }
    } else if (tree instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        if (!storable(array.getValue(i))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Finds the first text that cannot be stored, naming where it is. */
  private static void walk(@Nullable Object tree, String path) {
    if (tree instanceof String text) {
      check(text, path);
    } else if (tree instanceof JsonObject object) {
      for (Map.Entry<String, Object> member : object) {
        String field = child(path, escaped(member.getKey()));
        String problem = problem(member.getKey());
        if (problem != null) {
          throw Problem.invalid(field, "the member name " + problem);
        }
        walk(member.getValue(), field);
      }
    } else if (tree instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        walk(array.getValue(i), path + "[" + i + "]");
      }
    }
  }

  /** Checks one text, such as a query parameter that is stored, naming it {@code field}. */
  public static void check(String text, String field) {
    String problem = problem(text);
    if (problem != null) {
      throw Problem.invalid(field, problem);
    }
  }

  private static @Nullable String problem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        return "contains the NUL character (\\u0000), which Sluice cannot store.";
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains half a surrogate pair (\\u"
            + Integer.toHexString(c)
            + "), which is not a Unicode character.";
      }
    }
    return null;
  }

  private static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** The member name as it can be shown: NUL and lone surrogates written as JSON escapes. */
  private static String escaped(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < name.length()
              && Character.isLowSurrogate(name.charAt(i + 1));
      if (pair) {
        out.append(c).append(name.charAt(++i));
      } else if (c == 0 || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
