package dev.sluice.generate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * Measures a JSON value without encoding it: its size as compact JSON in UTF-8 and how deeply it
 * nests, walking iteratively and stopping as soon as either passes its limit, so that measuring a
 * huge value costs no more than measuring one at the limit.
 */
final class SchemaShape {

  private SchemaShape() {}

  private record Visit(@org.jspecify.annotations.Nullable Object value, int depth) {}

  /** Refuses, with a sentence saying the bound, a value over either limit. */
  static void check(JsonObject value, SchemaLimits limits) {
    long bytes = 0;
    ArrayDeque<Visit> todo = new ArrayDeque<>();
    todo.push(new Visit(value, 1));
    while (!todo.isEmpty()) {
      Visit v = todo.pop();
      if (v.value() instanceof JsonObject || v.value() instanceof JsonArray) {
        if (v.depth() > limits.maxDepth()) {
          throw new IllegalArgumentException(
              "nests deeper than " + limits.maxDepth() + " levels, the most allowed.");
        }
      }
      bytes += scalarOrFrame(v, todo);
      if (bytes > limits.maxBytes()) {
        throw new IllegalArgumentException(
            "is larger than " + limits.maxBytes() + " bytes (as compact JSON), the most allowed.");
      }
    }
  }

  /**
   * The bytes of a scalar, or of a container's brackets, separators and keys (its values queued).
   */
  private static long scalarOrFrame(Visit v, ArrayDeque<Visit> todo) {
    Object value = v.value();
    if (value instanceof JsonObject object) {
      long bytes = 2L + Math.max(0, object.size() - 1);
      for (Map.Entry<String, Object> e : object) {
        bytes += string(e.getKey()) + 1;
        todo.push(new Visit(e.getValue(), v.depth() + 1));
      }
      return bytes;
    }
    if (value instanceof JsonArray array) {
      for (Object element : array) {
        todo.push(new Visit(element, v.depth() + 1));
      }
      return 2L + Math.max(0, array.size() - 1);
    }
    if (value instanceof String s) {
      return string(s);
    }
    return String.valueOf(value).length();
  }

  /** A string's bytes in JSON: quotes, escapes, and UTF-8 for the rest. */
  static long string(String s) {
    long bytes = 2;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
        bytes += 2;
      } else if (c < 0x20) {
        bytes += 6;
      } else if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800 || Character.isSurrogate(c)) {
        bytes += 2;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
