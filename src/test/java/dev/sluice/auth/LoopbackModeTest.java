package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.RawHttp;
import dev.sluice.support.SluiceFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The open loopback mode (no authentication configured): one owner, and the two guards that keep a
 * foreign web page in the person's own browser from reading or steering Sluice.
 */
@DisplayName("Without authentication Sluice guards its loopback port against foreign pages")
class LoopbackModeTest {

  private static final String BASE = "/api/generation/batch";
  private static final GatedGenerator gate = new GatedGenerator();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings().generator(vertx -> gate).beforeClose(gate::releaseAll);

  private final Api api = fixture.api();

  @ParameterizedTest(name = "Host: {0}")
  @ValueSource(
      strings = {"evil.example", "evil.example:8080", "10.0.0.7", "localhost.evil.example"})
  @DisplayName("A request whose Host is not a loopback name is refused (DNS rebinding)")
  void foreignHost(String host) {
    String answer = get(BASE, host);
    assertThat(answer).startsWith("HTTP/1.1 403");
    assertThat(answer).contains("application/problem+json", "untrusted-host");
    assertThat(get("/", host)).startsWith("HTTP/1.1 403");
  }

  @ParameterizedTest(name = "Host: {0}")
  @ValueSource(strings = {"localhost", "127.0.0.1", "LOCALHOST:1234", "[::1]:8080"})
  @DisplayName("A request addressed to a loopback name is served, as the single owner local")
  void loopbackHost(String host) {
    assertThat(get(BASE, host)).startsWith("HTTP/1.1 200");
  }

  @Test
  @DisplayName(
      "A POST without a JSON content type or X-Sluice-Client header is a 415 and changes nothing;"
          + " with either it goes through")
  void crossSitePost() {
    String id = api.createBatch(Api.batchBody("Guarded", 2, 1));
    assertThat(fixture.db().queryText("SELECT owner FROM batches WHERE id = '" + id + "'"))
        .isEqualTo("local");
    // The first item is held by the gate; once its dispatch is stored the batch stands still.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> fixture.db().batchState(id).contains("(1,in_progress,"));
    String before = fixture.db().batchState(id);
    String pause = "http://127.0.0.1:" + fixture.port() + BASE + "/" + id + "/pause";

    for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded"}) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(pause)).POST(HttpRequest.BodyPublishers.noBody());
      if (type != null) {
        request.header("Content-Type", type);
      }
      Api.Reply refused = api.send(request);
      assertThat(refused.status()).as("Content-Type %s", type).isEqualTo(415);
      assertThat(refused.json().getString("detail")).contains("X-Sluice-Client");
      assertThat(fixture.db().batchState(id)).isEqualTo(before);
    }

    Api.Reply marked =
        api.send(
            HttpRequest.newBuilder(URI.create(pause))
                .header("X-Sluice-Client", "script")
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(marked.status()).as(marked.body()).isEqualTo(200);
    assertThat(api.control(id, "resume").status()).isEqualTo(200);
    assertThat(api.control(id, "cancel").status()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "The page carries a Content-Security-Policy without inline script, nosniff, a Referrer-Policy"
          + " and frame denial")
  void securityHeaders() {
    Api.Reply page = api.get("/");
    assertThat(page.status()).isEqualTo(200);
    var headers = page.raw().headers();
    String csp = headers.firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp)
        .contains("script-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe");
    assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(headers.firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(headers.firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.body()).doesNotContain("<script>").contains("<script type=\"module\" src=");
  }

  private static String get(String path, String host) {
    try (RawHttp raw = new RawHttp(fixture.port())) {
      raw.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      return raw.readToEnd();
    }
  }
}
