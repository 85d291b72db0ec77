package dev.sluice.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/**
 * Create bodies of many items as bytes, JSON or OpenAI batch JSONL, built without a JSON tree (a
 * 200,000-item body is 16 MB of text, not a million objects), with any item replaced.
 */
public final class CreateBodies {

  private CreateBodies() {}

  /** The JSON of item {@code i} (from 0): id {@code q<i+1>} and a prompt naming the same number. */
  public static String promptItem(int i) {
    return "{\"id\":\"q" + (i + 1) + "\",\"prompt\":\"" + prompt(i) + "\"}";
  }

  /** The prompt {@link #promptItem} gives item {@code i}. */
  public static String prompt(int i) {
    return "Write exam question " + (i + 1) + " about cell biology.";
  }

  /** {@code {"name": name, "concurrency": 1, "items": [item(0), …, item(n-1)]}}. */
  public static byte[] json(String name, int n, IntFunction<String> item) {
    return json("{\"name\":\"" + name + "\",\"concurrency\":1,\"items\":[", n, item, "]}");
  }

  /** {@code head}, then the n items separated by commas, then {@code tail}. */
  public static byte[] json(String head, int n, IntFunction<String> item, String tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(n * 80);
    write(out, head);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.write(',');
      }
      write(out, item.apply(i));
    }
    write(out, tail);
    return out.toByteArray();
  }

  /** Line {@code i} (from 0) of an OpenAI batch input file: custom_id {@code r<i+1>}. */
  public static String line(int i) {
    return "{\"custom_id\":\"r"
        + (i + 1)
        + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt(i)
        + "\"}]}}";
  }

  /** n lines, each followed by a line break. */
  public static byte[] jsonl(int n, IntFunction<String> line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(n * 160);
    for (int i = 0; i < n; i++) {
      write(out, line.apply(i));
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }
}
