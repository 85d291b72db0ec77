package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.app.Sluice;
import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and malformed requests from an authenticated faculty member: broken and deeply nested
 * JSON, wrong types, huge strings, unicode edge cases, random paths and methods. Sluice answers
 * each with a 2xx or a 4xx, never a 5xx, and the batches that exist (the caller's and another
 * owner's, held in flight) do not change unless the request was a valid control of the caller's.
 */
class HostileInputProperties {

  private static final String ADMIN = "sk-sluice-hostile-input-operator-key-012";
  private static final String BASE = "/api/generation/batch";
  private static final GatedGenerator gate = new GatedGenerator();

  private static TestDatabase db;
  private static Sluice sluice;
  private static Api alice;
  private static String alicesBatch;
  private static String bobsBatch;
  private static Map<String, String> before;

  @BeforeContainer
  static void start() {
    db = TestDatabase.create(HostileInputProperties.class);
    sluice =
        Sluice.start(
            TestConfig.of(db, "SLUICE_ADMIN_KEY", ADMIN, "SLUICE_MAX_ITEMS", "50"), vertx -> gate);
    Api admin = new Api(sluice.port()).as(ADMIN);
    alice = new Api(sluice.port()).as(key(admin, "alice"));
    Api bob = new Api(sluice.port()).as(key(admin, "bob"));
    alicesBatch = alice.createBatch(Api.batchBody("Alice's", 3, 1));
    bobsBatch = bob.createBatch(Api.batchBody("Bob's", 3, 1));
    org.awaitility.Awaitility.await()
        .until(() -> gate.inFlight(alicesBatch) == 1 && gate.inFlight(bobsBatch) == 1);
    before = Map.of(alicesBatch, db.batchState(alicesBatch), bobsBatch, db.batchState(bobsBatch));
  }

  @AfterContainer
  static void stop() {
    gate.releaseAll();
    if (sluice != null) {
      sluice.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private static String key(Api admin, String owner) {
    return admin.post("/api/keys", "{\"owner\":\"" + owner + "\"}").json().getString("key");
  }

  @Property(tries = 300)
  void noServerErrorAndNoChange(@ForAll("requests") Request request) {
    Api.Reply reply = alice.send(request.build(sluice.port()));

    assertThat(reply.status())
        .as("%s %s → %s", request.method(), request.path(), reply.body())
        .isBetween(200, 499);
    assertThat(db.batchState(bobsBatch)).isEqualTo(before.get(bobsBatch));
    assertThat(db.batchState(alicesBatch)).isEqualTo(before.get(alicesBatch));
  }

  /** One request: method, path, content type and body bytes. */
  static final class Request {
    private final String method;
    private final String path;
    private final String contentType;
    private final byte[] body;

    Request(String method, String path, String contentType, byte[] body) {
      this.method = method;
      this.path = path;
      this.contentType = contentType;
      this.body = body.clone();
    }

    String method() {
      return method;
    }

    String path() {
      return path;
    }

    HttpRequest.Builder build(int port) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      return contentType.isEmpty() ? b : b.header("Content-Type", contentType);
    }

    @Override
    public String toString() {
      return method + " " + path + " (" + contentType + ", " + body.length + " bytes)";
    }
  }

  @Provide
  Arbitrary<Request> requests() {
    return Combinators.combine(methods(), paths(), contentTypes(), bodies()).as(Request::new);
  }

  private static Arbitrary<String> methods() {
    return Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  }

  /**
   * Known routes (with Alice's and Bob's batches, unknown and malformed ids, and controls of only
   * Bob's batch, so a valid control never changes Alice's), random suffixes and queries.
   */
  private static Arbitrary<String> paths() {
    Arbitrary<String> ids =
        Arbitraries.of(
            bobsBatch,
            UUID.randomUUID().toString(),
            "not-a-uuid",
            "%00",
            "..%2F..",
            "0".repeat(300));
    Arbitrary<String> reads = Arbitraries.of("", "/items", "/events", "/results", "/items?status=");
    Arbitrary<String> controls = Arbitraries.of("/pause", "/resume", "/cancel", "/retry-failed");
    Arbitrary<String> queries =
        Arbitraries.strings().withChars("abc=&?/0-_").ofMaxLength(30).map(q -> "?" + q);
    return Arbitraries.oneOf(
        Combinators.combine(ids, Arbitraries.oneOf(reads, controls))
            .as((i, s) -> BASE + "/" + i + s),
        reads.map(s -> BASE + "/" + alicesBatch + s),
        queries.map(q -> BASE + q.replace(" ", "")),
        Arbitraries.of("/api/keys", "/api/keys/key_x", "/v1/batches", "/api/generation", "/api/"),
        Arbitraries.strings().withChars("abz/._-~09").ofMaxLength(60).map(s -> "/api/" + s));
  }

  private static Arbitrary<String> contentTypes() {
    return Arbitraries.of(
        "application/json",
        "application/json; charset=utf-16",
        "application/x-ndjson",
        "text/plain",
        "multipart/form-data; boundary=x",
        "");
  }

  private static Arbitrary<byte[]> bodies() {
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(200),
            Arbitraries.of(
                "{",
                "[]",
                "null",
                "42",
                "\"x\"",
                "{\"items\":{}}",
                "{\"reason\":7}",
                "{\"name\":\"\\ud800\",\"items\":[{\"id\":\"a\",\"prompt\":\"\\u0000\"}]}",
                "{\"name\":\"x\",\"items\":[{\"id\":\"a\",\"prompt\":\"p\"}],\"concurrency\":\"8\"}",
                "{\"a\":1,\"a\":2}",
                "\uFEFF{}",
                "{\"name\":\"\u202E\uD83D\uDE00\",\"items\":[]}",
                "{\"owner\":\"bob\",\"role\":\"admin\"}",
                "{\"reason\":\"" + "x".repeat(5000) + "\"}"),
            Arbitraries.integers().between(1, 3000).map(HostileInputProperties::nested),
            Arbitraries.integers()
                .between(1, 200_000)
                .map(n -> "{\"name\":\"" + "é".repeat(n) + "\",\"items\":[]}"));
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    return Arbitraries.oneOf(
        text.map(t -> t.getBytes(StandardCharsets.UTF_8)), raw, Arbitraries.just(new byte[0]));
  }

  private static String nested(int depth) {
    return "{\"items\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
  }
}
