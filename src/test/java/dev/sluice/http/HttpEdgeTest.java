package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.support.Api;
import dev.sluice.support.RawHttp;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer's own answers: malformed queries, unknown versions, framing and size errors and
 * wrong methods are problems with the right status; slow heads, slow bodies and idle connections
 * are cut off by the server's timeouts, but an open event stream is not; a client that goes away is
 * not an error.
 */
class HttpEdgeTest {

  private static final String BASE = "/api/generation/batch";
  private static final long IDLE_MS = 3000;
  private static final long HEADER_MS = 1000;
  private static final long BODY_MS = 1000;

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_HTTP_IDLE_TIMEOUT_MS",
          String.valueOf(IDLE_MS),
          "SLUICE_HTTP_HEADER_TIMEOUT_MS",
          String.valueOf(HEADER_MS),
          "SLUICE_HTTP_BODY_TIMEOUT_MS",
          String.valueOf(BODY_MS));

  private final Api api = fixture.api();

  static Stream<Arguments> refusedByTheHttpLayer() {
    String host = "Host: localhost\r\n";
    return Stream.of(
        Arguments.of(
            "a lone % in the query",
            "GET " + BASE + "?a=% HTTP/1.1\r\n" + host + "\r\n", 400, "%25"),
        Arguments.of(
            "a bad escape in the query",
            "GET " + BASE + "?a=%zz HTTP/1.1\r\n" + host + "\r\n",
            400,
            "%XX"),
        Arguments.of(
            "a bad escape in the path", "GET /api/%ZZ HTTP/1.1\r\n" + host + "\r\n", 400, "path"),
        Arguments.of(
            "a lone % as the path",
            "POST /% HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", 400, "%25"),
        Arguments.of(
            "invalid UTF-8 in the query",
            "GET " + BASE + "?name=%ff HTTP/1.1\r\n" + host + "\r\n",
            400,
            "UTF-8"),
        Arguments.of(
            "an overlong form in the query",
            "GET " + BASE + "?name=%c0%af HTTP/1.1\r\n" + host + "\r\n",
            400,
            "UTF-8"),
        Arguments.of(
            "a Content-Length that is not a number",
            "POST " + BASE + " HTTP/1.1\r\n" + host + "Content-Length: abc\r\n\r\n{}",
            400,
            "well-formed"),
        Arguments.of(
            "a request line that is too long",
            "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + host + "\r\n",
            414,
            "request line"),
        Arguments.of(
            "headers that are too large",
            "GET " + BASE + " HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(9000) + "\r\n\r\n",
            431,
            "headers"),
        Arguments.of(
            "HTTP/2.0 on an HTTP/1 connection",
            "GET " + BASE + " HTTP/2.0\r\n" + host + "\r\n",
            505,
            "HTTP/2.0"),
        Arguments.of("HTTP/1.2", "GET " + BASE + " HTTP/1.2\r\n" + host + "\r\n", 505, "HTTP/1.2"));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("refusedByTheHttpLayer")
  @DisplayName(
      "What the HTTP layer refuses is answered as a problem with the right status, and the connection closed")
  void refusedByTheHttpLayerIsAProblem(String what, String request, int status, String mentions) {
    String answer;
    try (RawHttp raw = new RawHttp(fixture.port())) {
      answer = raw.send(request).readToEnd();
    }

    // Netty reports a head it could not read as HTTP/1.0, and Vert.x answers in that version.
    assertThat(answer).matches("(?s)HTTP/1\\.[01] " + status + " .*");
    assertThat(header(answer, "content-type")).isEqualTo(Problems.CONTENT_TYPE);
    JsonObject problem = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("type")).startsWith("https://sluice.dev/problems/");
    assertThat(problem.getString("detail")).contains(mentions);
  }

  static Stream<Arguments> wrongMethods() {
    String batch = BASE + "/" + UUID.randomUUID();
    return Stream.of(
        Arguments.of("DELETE", batch, "GET"),
        Arguments.of("GET", batch + "/pause", "POST"),
        Arguments.of("PUT", batch + "/retry-failed", "POST"),
        Arguments.of("PUT", BASE, "GET, POST"),
        Arguments.of("PATCH", batch + "/items", "GET"),
        Arguments.of("POST", "/health/live", "GET"),
        Arguments.of("DELETE", "/metrics", "GET"));
  }

  @ParameterizedTest(name = "{0} {1} -> Allow: {2}")
  @MethodSource("wrongMethods")
  @DisplayName(
      "A known path asked with another method answers 405 with the methods it has in Allow")
  void wrongMethodIs405(String method, String path, String allow) {
    Api.Reply reply =
        api.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()));

    assertThat(reply.status()).as(reply.body()).isEqualTo(405);
    assertThat(reply.raw().headers().firstValue("Allow")).hasValue(allow);
    assertThat(reply.contentType()).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(reply.json().getString("type"))
        .isEqualTo("https://sluice.dev/problems/method-not-allowed");
    assertThat(reply.json().getString("detail")).contains(method).contains(allow);
    assertThat(api.get("/api/generation/nothing-here").status()).isEqualTo(404);
  }

  @Test
  @DisplayName(
      "A client that sends its request head too slowly is cut off after the header timeout")
  void slowHeadIsCutOff() {
    try (RawHttp raw = new RawHttp(fixture.port())) {
      long start = System.nanoTime();
      raw.send("GET /health/live HTTP/1.1\r\nHost: localhost\r\n");

      assertThat(raw.readToEnd()).isEmpty();
      long waited = millisSince(start);
      assertThat(waited).isGreaterThanOrEqualTo(HEADER_MS - 100).isLessThan(IDLE_MS);
    }
  }

  @Test
  @DisplayName("A client that trickles its body is answered 408 after the body timeout and closed")
  void slowBodyIs408() {
    try (RawHttp raw = new RawHttp(fixture.port())) {
      long start = System.nanoTime();
      raw.send(
          "POST "
              + BASE
              + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Content-Length: 100\r\n\r\n{\"name\":");

      String answer = raw.readToEnd();
      long waited = millisSince(start);
      assertThat(answer).startsWith("HTTP/1.1 408 ");
      assertThat(header(answer, "content-type")).isEqualTo(Problems.CONTENT_TYPE);
      assertThat(answer).contains("\"status\":408");
      assertThat(waited).isGreaterThanOrEqualTo(BODY_MS - 100).isLessThan(IDLE_MS);
    }
  }

  @Test
  @DisplayName("A connection with nothing to say is closed after the idle timeout")
  void idleConnectionIsClosed() {
    try (RawHttp raw = new RawHttp(fixture.port())) {
      long start = System.nanoTime();
      assertThat(raw.closedByServer()).isTrue();
      assertThat(millisSince(start)).isGreaterThanOrEqualTo(IDLE_MS - 100);
    }
  }

  @Test
  @DisplayName("An open event stream and a results download outlive every server timeout")
  void streamsAreNotCut() {
    String id = api.createBatch(Api.batchBody("watched", 2, 1));
    try (RawHttp raw = new RawHttp(fixture.port())) {
      long start = System.nanoTime();
      raw.send("GET " + BASE + "/" + id + "/stream HTTP/1.1\r\nHost: localhost\r\n\r\n");

      // A heartbeat every third of the idle timeout: five of them span more than the idle timeout.
      assertThat(raw.readUntil(": keep-alive", 5)).as(raw.received()).isTrue();
      assertThat(millisSince(start)).isGreaterThan(IDLE_MS);
      assertThat(raw.received()).startsWith("HTTP/1.1 200 ").contains("event: batch");
    }
    Api.Reply results = api.get(BASE + "/" + id + "/results");
    assertThat(results.status()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "A client that resets its connection mid-request is logged at DEBUG, never as an error")
  void disconnectIsNotAnError() {
    assertLoggedBelowError(
        "went away",
        () ->
            new RawHttp(fixture.port())
                .send(
                    "POST "
                        + BASE
                        + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"name\":")
                .reset());
  }

  @Test
  @DisplayName(
      "A chunked body whose chunk size is not hexadecimal closes the connection and is not logged as an error")
  void brokenChunkIsNotAnError() {
    String id = fixture.api().createBatch("chunks", 2, 1);
    try (RawHttp raw = new RawHttp(fixture.port())) {
      assertLoggedBelowError(
          "broke its HTTP framing",
          () ->
              raw.send(
                  "POST "
                      + BASE
                      + "/"
                      + id
                      + "/pause HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"));
      assertThat(raw.readToEnd()).doesNotContain(" 500 ");
    }
  }

  /**
   * Runs {@code request} and waits until Problems logs a line containing {@code expected}; nothing
   * of Sluice's may be logged at ERROR meanwhile.
   */
  private static void assertLoggedBelowError(String expected, Runnable request) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger problems = (Logger) LoggerFactory.getLogger(Problems.class);
    Level before = problems.getLevel();
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    root.addAppender(events);
    problems.setLevel(Level.DEBUG);
    try {
      request.run();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> events.list.stream().anyMatch(e -> e.getFormattedMessage().contains(expected)));
      assertThat(events.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
    } finally {
      root.detachAppender(events);
      problems.setLevel(before);
    }
  }

  private static String header(String answer, String name) {
    for (String line : answer.substring(0, answer.indexOf("\r\n\r\n")).split("\r\n", -1)) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
