package dev.sluice.bench.faults;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * The fuzz part's requests: request {@code i} of a run depends only on the seed and {@code i}. Each
 * is a kind (what it attacks) and the exact bytes to send; see {@link HostileFraming} for the
 * raw-socket framing errors and {@link HostileText} for the hostile strings and JSON.
 */
final class HostileRequests {

  /** One request: what it attacks, and its bytes. */
  static final class Hostile {
    private final String kind;
    private final byte[] bytes;

    Hostile(String kind, byte[] bytes) {
      this.kind = kind;
      this.bytes = bytes;
    }

    String kind() {
      return kind;
    }

    byte[] bytes() {
      return bytes;
    }

    boolean head() {
      return bytes.length > 4
          && new String(bytes, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
    }
  }

  static final String BASE = "/api/generation/batch";
  private static final List<String> COMMANDS = List.of("pause", "resume", "cancel", "retry-failed");

  private final long seed;
  private final List<String> victims;

  /** Victims are batches the requests may name; no other existing batch is ever named. */
  HostileRequests(long seed, List<String> victims) {
    this.seed = seed;
    this.victims = victims;
  }

  Hostile get(int i) {
    Random r = new Random(seed * 1_000_003L + i);
    int k = r.nextInt(100);
    if (k < 18) {
      return new Hostile(
          "malformed JSON", post(BASE, "application/json", HostileText.malformed(r)));
    }
    if (k < 36) {
      return new Hostile(
          "hostile text field", post(BASE, "application/json", HostileText.field(r)));
    }
    if (k < 46) {
      return control(r);
    }
    if (k < 56) {
      return new Hostile("query string", query(r));
    }
    if (k < 61) {
      return new Hostile(
          "huge or nested body", post(BASE, "application/json", HostileText.huge(r)));
    }
    if (k < 71) {
      return new Hostile("wrong method", method(r));
    }
    if (k < 79) {
      return new Hostile("wrong content type", contentType(r));
    }
    if (k < 90) {
      return new Hostile(
          "random path",
          request(
              pick(r, "GET", "GET", "POST", "HEAD"), HostileText.path(r, victim(r)), null, null));
    }
    return new Hostile("framing", HostileFraming.request(r, victim(r)));
  }

  private String victim(Random r) {
    return victims.get(r.nextInt(victims.size()));
  }

  private Hostile control(Random r) {
    String path = BASE + "/" + victim(r) + "/" + COMMANDS.get(r.nextInt(COMMANDS.size()));
    byte[] body =
        switch (r.nextInt(4)) {
          case 0 -> HostileText.json("{\"reason\":" + HostileText.jsonString(r) + "}");
          case 1 -> HostileText.malformed(r);
          case 2 ->
              HostileText.json(
                  pick(
                      r,
                      "[1]",
                      "\"x\"",
                      "null",
                      "{\"reason\":{\"a\":[1]}}",
                      "{\"reason\":12}",
                      "{\"reason\":\"a\",\"reason\":\"b\"}"));
          default ->
              HostileText.json("{\"reason\":\"" + "r".repeat(1 + r.nextInt(200_000)) + "\"}");
        };
    String type =
        r.nextInt(5) == 0 ? pick(r, "text/plain", "application/xml", "") : "application/json";
    return new Hostile("control body", post(path, type, body));
  }

  private byte[] query(Random r) {
    String q =
        pick(
            r,
            "name=%00",
            "a=%",
            "status=%00",
            "status=running%00",
            "limit=%ff",
            "limit=1e3",
            "limit=-1",
            "limit=99999999999999999999",
            "cursor=%00",
            "cursor=%ED%A0%80",
            "cursor=%C0%AF",
            "cursor=AAAA",
            "cursor=%",
            "status=running&status=paused",
            "?",
            "&&&=",
            "status=",
            "limit=",
            "cursor=" + "A".repeat(5000),
            "status=%F0%28%8C%BC",
            "limit=0x10",
            "limit=%2B5",
            "%=%",
            "a=%zz",
            "status=RUNNING");
    return switch (r.nextInt(4)) {
      case 0 -> request("GET", BASE + "/" + victim(r) + "/items?" + q, null, null);
      case 1 ->
          post(
              BASE
                  + "?"
                  + pick(
                      r,
                      "name=%00",
                      "name=%ED%A0%80",
                      "concurrency=%",
                      "concurrency=-5",
                      "tokenBudget=abc",
                      "maxAttempts=99999999999",
                      "name=" + "n".repeat(500),
                      "a=%"),
              "application/x-ndjson",
              HostileText.ndjson(r));
      case 2 -> request("GET", BASE + "/" + victim(r) + "/events?" + q, null, null);
      default -> request("GET", BASE + "?" + q, null, null);
    };
  }

  private byte[] method(Random r) {
    String route =
        pick(
            r,
            BASE,
            BASE + "/" + victim(r),
            BASE + "/" + victim(r) + "/items",
            BASE + "/" + victim(r) + "/events",
            BASE + "/" + victim(r) + "/results",
            BASE + "/" + victim(r) + "/" + COMMANDS.get(r.nextInt(4)),
            "/health/live",
            "/health/ready",
            "/metrics",
            "/openapi.yaml");
    String m =
        pick(
            r,
            "PUT",
            "DELETE",
            "PATCH",
            "OPTIONS",
            "HEAD",
            "TRACE",
            "FOO",
            "get",
            "POST",
            "GET",
            "PROPFIND",
            "M-SEARCH");
    return request(
        m,
        route,
        m.equals("GET") || m.equals("HEAD") ? null : "application/json",
        m.equals("GET") ? null : HostileText.json("{}"));
  }

  private byte[] contentType(Random r) {
    String type =
        pick(
            r,
            "text/plain",
            "application/xml",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "",
            "application/json; charset=utf-16",
            "application/json; charset=bogus",
            "application/jsonx",
            "APPLICATION/JSON",
            "application/x-ndjson",
            "*/*",
            "application/json, text/plain",
            "application/json;",
            "application/json\u0000");
    byte[] body =
        r.nextBoolean() ? HostileText.json(HostileText.valid(r)) : HostileText.json("a=1&b=2");
    return post(r.nextInt(4) == 0 ? BASE + "/" + victim(r) + "/pause" : BASE, type, body);
  }

  static byte[] post(String path, String type, byte[] body) {
    return request("POST", path, type, body);
  }

  /** A well-framed HTTP/1.1 request (Connection: close); a null type sends no Content-Type. */
  static byte[] request(String method, String target, String type, byte[] body) {
    StringBuilder h = new StringBuilder();
    h.append(method)
        .append(' ')
        .append(target)
        .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if (type != null && !type.isEmpty()) {
      h.append("Content-Type: ").append(type).append("\r\n");
    }
    if (body != null) {
      h.append("Content-Length: ").append(body.length).append("\r\n");
    }
    h.append("\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.writeBytes(body);
    }
    return out.toByteArray();
  }

  static String pick(Random r, String... choices) {
    return choices[r.nextInt(choices.length)];
  }
}
