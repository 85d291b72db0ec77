package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TcpProxy;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * While the database is unreachable the API answers 503 with {@code Retry-After}, not 500, and
 * answers normally again as soon as it is back: Sluice's connections go through a TCP proxy the
 * test cuts and restores, as in {@link HealthTest}.
 */
class DatabaseOutageTest {

  private static final String BASE = "/api/generation/batch";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
              "SLUICE_SIMULATED_LATENCY_MS", "60000", "SLUICE_DATABASE_POOL_SIZE", "1")
          .throughProxy();

  private final Api api = fixture.api();
  private final TcpProxy proxy = fixture.proxy();

  @Test
  @DisplayName(
      "Reads, creates and controls answer 503 with Retry-After while the database is away, and 200 or 201 from the first request after it returns")
  void answersUnavailableWhileTheDatabaseIsAway() {
    String running = api.createBatch(Api.batchBody("before the outage", 3, 1));

    proxy.cut();
    List<Api.Reply> during;
    try {
      during =
          List.of(
              api.get(BASE + "/" + running),
              api.get(BASE),
              api.get(BASE + "/" + running + "/items"),
              api.post(BASE, Api.batchBody("during the outage", 2, 1).encode()),
              api.control(running, "pause"),
              api.get(BASE + "/" + running));
    } finally {
      proxy.restore();
    }

    for (Api.Reply reply : during) {
      assertThat(reply.status()).as(reply.body()).isEqualTo(503);
      assertThat(reply.contentType()).isEqualTo(Problems.CONTENT_TYPE);
      assertThat(reply.raw().headers().firstValue("Retry-After")).isPresent();
      assertThat(reply.json().getInteger("status")).isEqualTo(503);
      assertThat(reply.json().getString("detail")).isNotBlank();
    }
    assertThat(during.get(0).raw().headers().firstValue("Retry-After")).hasValue("5");
    assertThat(during.get(0).json().getString("type"))
        .isEqualTo("https://sluice.dev/problems/database-unavailable");

    Api.Reply read = api.get(BASE + "/" + running);
    assertThat(read.status()).as(read.body()).isEqualTo(200);
    Api.Reply list = api.get(BASE);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    assertThat(list.json().getJsonArray("data")).isNotEmpty();
    Api.Reply created = api.post(BASE, Api.batchBody("after the outage", 2, 1).encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    Api.Reply paused = api.control(created.json().getString("id"), "pause");
    assertThat(paused.status()).as(paused.body()).isEqualTo(200);
    assertThat(paused.json().getString("status")).isEqualTo("paused");
  }

  @Test
  @DisplayName(
      "A read that meets a pooled connection the database has closed meanwhile is tried once more, on a new connection")
  void readsRetryOnAStaleConnection() {
    String id = api.createBatch(Api.batchBody("stale connections", 2, 1));
    assertThat(api.get(BASE + "/" + id).status()).isEqualTo(200);

    proxy.staleOpenConnections();
    Api.Reply read = api.get(BASE + "/" + id);
    assertThat(read.status()).as(read.body()).isEqualTo(200);

    proxy.staleOpenConnections();
    Api.Reply list = api.get(BASE);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
  }
}
