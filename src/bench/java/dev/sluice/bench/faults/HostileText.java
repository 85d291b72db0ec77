package dev.sluice.bench.faults;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Hostile request bodies, paths and strings: malformed JSON and encodings, NUL and lone surrogates
 * in every text field, huge and deeply nested documents.
 */
final class HostileText {

  private static final String ITEMS = "\"items\":[{\"id\":\"a\",\"prompt\":\"p\"}]";
  private static final String[] FIELDS = {
    "{\"name\":%s," + ITEMS + "}",
    "{\"name\":\"f\",\"items\":[{\"id\":\"a\",\"prompt\":%s}]}",
    "{\"name\":\"f\",\"items\":[{\"id\":%s,\"prompt\":\"p\"}]}",
    "{\"name\":\"f\",\"template\":\"Q {{t}}\",\"items\":[{\"id\":\"a\",\"vars\":{\"t\":%s}}]}",
    "{\"name\":\"f\",\"template\":\"Q {{t}}\",\"items\":[{\"id\":\"a\",\"vars\":{%s:\"v\",\"t\":\"x\"}}]}",
    "{\"name\":\"f\",\"template\":%s,\"items\":[{\"id\":\"a\",\"vars\":{\"t\":\"x\"}}]}",
    "{\"name\":\"f\",\"system\":%s," + ITEMS + "}",
    "{\"name\":\"f\",\"model\":%s," + ITEMS + "}",
    "{\"name\":\"f\",\"items\":[{\"id\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":%s}]}]}",
    "{\"name\":\"f\",\"params\":{%s:1}," + ITEMS + "}",
    "{\"name\":\"f\",\"outputSchema\":{\"type\":%s}," + ITEMS + "}",
    "{\"name\":\"f\",\"items\":[{\"id\":\"a\",\"prompt\":\"p\",\"params\":{\"stop\":[%s]}}]}",
  };

  private HostileText() {}

  static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String valid(Random r) {
    return "{\"name\":\"fuzz " + r.nextInt(1000) + "\"," + ITEMS + "}";
  }

  /** One hostile JSON string token, as bytes (some are not valid JSON or UTF-8 on purpose). */
  static byte[] token(Random r) {
    return switch (r.nextInt(18)) {
      case 0 -> json("\"\\u0000\"");
      case 1 -> json("\"a\\u0000b\"");
      case 2 -> json("\"\\ud800\"");
      case 3 -> json("\"\\udc00\"");
      case 4 -> json("\"x\\ud800y\"");
      case 5 -> json("\"\\ud800\\u0041\"");
      case 6 -> json("\"" + "\\u0000".repeat(1000) + "\"");
      case 7 -> json("\"\\uffff\\ufeff\\u202e\"");
      case 8 -> bytes("\"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"");
      case 9 -> bytes("\"", new byte[] {(byte) 0xC0, (byte) 0x80}, "\"");
      case 10 -> bytes("\"a", new byte[] {0}, "b\"");
      case 11 -> bytes("\"", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "\"");
      case 12 -> bytes("\"", new byte[] {(byte) 0xFF, (byte) 0xFE}, "\"");
      case 13 -> json("\"" + "a".repeat(100_000) + "\"");
      case 14 -> json("\"\\udbff\\udfff\"");
      case 15 -> json("\"{{t}}\\u0000{{\"");
      case 16 -> json("\"\\u0001\\u001f\\u007f\"");
      default -> json("\"\\\\u0000 \\\\ud800\"");
    };
  }

  static String jsonString(Random r) {
    return new String(token(r), StandardCharsets.ISO_8859_1);
  }

  /** A create body with a hostile string in one of its text fields. */
  static byte[] field(Random r) {
    String[] parts = FIELDS[r.nextInt(FIELDS.length)].split("%s", 2);
    return bytes(parts[0], token(r), parts[1]);
  }

  /** A create body that is not JSON, or JSON in a form or encoding a strict reader refuses. */
  static byte[] malformed(Random r) {
    String v = valid(r);
    return switch (r.nextInt(30)) {
      case 0 -> json("{\"name\":\"f\" /* c */," + ITEMS + "}");
      case 1 -> json("// c\n" + v);
      case 2 -> json("{\"name\":\"a\",\"name\":\"b\"," + ITEMS + "}");
      case 3 -> json("{\"name\":\"f\",\"items\":[{\"id\":\"a\",\"id\":\"b\",\"prompt\":\"p\"}]}");
      case 4 -> bytes("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, v);
      case 5 -> v.getBytes(StandardCharsets.UTF_16LE);
      case 6 -> v.getBytes(StandardCharsets.UTF_16BE);
      case 7 -> v.getBytes(StandardCharsets.UTF_16);
      case 8 -> v.getBytes(Charset.forName("UTF-32"));
      case 9 ->
          bytes(
              "{\"name\":\"",
              new byte[] {(byte) 0xC0, (byte) 0xAF, (byte) 0xE0, (byte) 0x80, (byte) 0xAF},
              "\"," + ITEMS + "}");
      case 10 -> bytes("{\"name\":\"", new byte[] {(byte) 0x80, (byte) 0xC3}, "\"," + ITEMS + "}");
      case 11 -> json(v.substring(0, r.nextInt(v.length())));
      case 12 -> json(v + pick(r, " x", v, "]", "}", "\u0000"));
      case 13 ->
          json(
              "{\"name\":\"f\",\"concurrency\":"
                  + pick(
                      r,
                      "NaN",
                      "Infinity",
                      "-Infinity",
                      "007",
                      "1e99999",
                      "99999999999999999999999",
                      "-0",
                      "1.5",
                      "\"8\"",
                      "0x10",
                      "+1")
                  + ","
                  + ITEMS
                  + "}");
      case 14 -> json("{'name':'f','items':[{'id':'a','prompt':'p'}]}");
      case 15 -> json("{name:\"f\"," + ITEMS + "}");
      case 16 -> json(pick(r, "", " ", "null", "[]", "\"x\"", "123", "true", "{}", "\n\n"));
      case 17 -> json("{\"name\":\"a\tb\u0001\"," + ITEMS + "}");
      case 18 -> bytes("{\"name\":\"a", new byte[] {0}, "\"," + ITEMS + "}");
      case 19 -> json("{\"name\":\"f\"," + ITEMS + ",}");
      case 20 ->
          json(
              "{\"name\":\""
                  + pick(r, "\\x41", "\\u12", "\\uZZZZ", "\\", "\\'")
                  + "\","
                  + ITEMS
                  + "}");
      case 21 ->
          json(
              "{\"name\":\"f\",\"items\":"
                  + pick(r, "{}", "null", "\"a\"", "[null]", "[[]]", "[1]")
                  + "}");
      case 22 ->
          json(
              "{\"name\":\"f\",\"maxAttempts\":"
                  + pick(r, "0", "-1", "21", "2147483648", "null", "true")
                  + ","
                  + ITEMS
                  + "}");
      case 23 ->
          json(
              "{\"name\":\"f\",\"tokenBudget\":"
                  + pick(r, "0", "-1", "9223372036854775808", "1e30")
                  + ","
                  + ITEMS
                  + "}");
      case 24 -> json("{\"name\":\"f\"," + ITEMS + ",\"concurency\":4}");
      case 25 ->
          json("{\"name\":\"f\",\"template\":\"{{\",\"items\":[{\"id\":\"a\",\"vars\":{}}]}");
      case 26 ->
          json(
              "{\"name\":\"f\",\"items\":[{\"id\":\"a\",\"prompt\":\"p\"},{\"id\":\"a\",\"prompt\":\"q\"}]}");
      case 27 ->
          json(
              "{\"name\":\"f\",\"outputSchema\":{\"$ref\":\"http://127.0.0.1:1/x\"},"
                  + ITEMS
                  + "}");
      case 28 -> json("\u0000" + v);
      default ->
          json(
              "{\"name\":\"f\",\"params\":"
                  + pick(r, "[]", "\"x\"", "{\"temperature\":\"hot\"}", "{\"n\":1e999}")
                  + ","
                  + ITEMS
                  + "}");
    };
  }

  /** A huge or deeply nested body. */
  static byte[] huge(Random r) {
    int depth = pickInt(r, 1_000, 10_000, 100_000, 1_000_000);
    return switch (r.nextInt(10)) {
      case 0 -> json("[".repeat(depth) + "]".repeat(depth));
      case 1 -> json("{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
      case 2 ->
          json(
              "{\"name\":\"f\",\"template\":\"{{t}}\",\"items\":[{\"id\":\"a\",\"vars\":{\"t\":"
                  + "[".repeat(depth)
                  + "]".repeat(depth)
                  + "}}]}");
      case 3 ->
          json(
              "{\"name\":\"f\",\"outputSchema\":"
                  + "{\"allOf\":[".repeat(depth / 10)
                  + "{}"
                  + "]}".repeat(depth / 10)
                  + ","
                  + ITEMS
                  + "}");
      case 4 -> many(100_001);
      case 5 ->
          r.nextInt(20) == 0
              ? json(
                  "{\"name\":\"f\"," + ITEMS + ",\"pad\":\"" + "a".repeat(33 * 1024 * 1024) + "\"}")
              : many(20_000);
      case 6 ->
          json(
              "{\"name\":\"f\",\"items\":[{\"id\":\"a\",\"prompt\":\""
                  + "p".repeat(40_000)
                  + "\"}]}");
      case 7 -> json("{\"name\":\"" + "n".repeat(100_000) + "\"," + ITEMS + "}");
      case 8 -> keys(100_000);
      default ->
          json(
              "{\"name\":\"f\",\"params\":"
                  + "{\"a\":".repeat(depth)
                  + "1"
                  + "}".repeat(depth)
                  + ","
                  + ITEMS
                  + "}");
    };
  }

  private static byte[] many(int n) {
    StringBuilder b = new StringBuilder("{\"name\":\"many\",\"items\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("{\"id\":\"i").append(i).append("\",\"prompt\":\"p\"}");
    }
    return json(b.append("]}").toString());
  }

  private static byte[] keys(int n) {
    StringBuilder b = new StringBuilder("{\"name\":\"f\"," + ITEMS + ",\"params\":{");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    return json(b.append("}}").toString());
  }

  /** A path that is not a route, or a route written in a way it should not be. */
  static String path(Random r, String victim) {
    String b = HostileRequests.BASE;
    return pick(
        r,
        b + "/not-a-uuid",
        b + "/%00",
        b + "/" + victim + "/unknown",
        "/../../etc/passwd",
        "/api/../health/live",
        "//api//generation//batch",
        "/api/%ZZ",
        "/%",
        b + "/" + victim + "%2Fpause",
        "/" + "x".repeat(5_000),
        "/api/g%C3%A9n%C3%A9ration",
        b + "/" + victim.toUpperCase(java.util.Locale.ROOT),
        b + "/00000000-0000-0000-0000-000000000000",
        b + "/%ED%A0%80",
        "/index.html%00",
        "/webroot/../../pom.xml",
        b + "/" + victim + "/items/",
        b + "/" + victim + "/",
        "/api/",
        "/api",
        "/health/live/",
        "/health/%00",
        b + "/" + victim + ";x=1",
        b + "/" + victim + "/events%00",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/generation/batch/" + "9".repeat(36),
        "*",
        "/" + "%41".repeat(2000));
  }

  /** An OpenAI batch input file (JSONL) that is broken one way or another. */
  static byte[] ndjson(Random r) {
    String line =
        "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
    return switch (r.nextInt(6)) {
      case 0 -> json(line + "\nnot json\n");
      case 1 -> json("\n\n\n");
      case 2 -> json(line.replace("\"a\"", "\"\\u0000\""));
      case 3 -> json(line.replace("hi", "\\ud800"));
      case 4 -> json(line + "\n" + line);
      default -> bytes(line.substring(0, 40), new byte[] {0, (byte) 0xFF}, "\n");
    };
  }

  static byte[] bytes(String before, byte[] middle, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(middle);
    out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static String pick(Random r, String... choices) {
    return HostileRequests.pick(r, choices);
  }

  private static int pickInt(Random r, int... choices) {
    return choices[r.nextInt(choices.length)];
  }
}
