package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.CreateBodies;
import dev.sluice.support.RawHttp;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The batch runners write through connections of their own ({@code database.pool-size}), apart from
 * those HTTP requests use ({@code database.request-pool-size}): a request holding every request
 * connection — here a large create whose body is still arriving, one connection each, both pools
 * sized one — cannot hold up a running batch (docs/decisions.md, "Runners and requests have pools
 * of their own").
 */
class RunnerConnectionsTest {

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_DATABASE_POOL_SIZE", "1",
          "SLUICE_DATABASE_REQUEST_POOL_SIZE", "1",
          "SLUICE_SIMULATED_LATENCY_MS", "20",
          "SLUICE_SIMULATED_FAILURE_RATE", "0");

  private final Api api = fixture.api();
  private final TestDatabase db = fixture.db();

  @Test
  @DisplayName(
      "A running batch goes on to completed, and answers its controls, while a create holds every request connection")
  void runnersDoNotWaitForRequests() {
    String running = api.createBatch("runs meanwhile", 300, 4);
    byte[] body = CreateBodies.json("held open", 40_000, CreateBodies::promptItem);
    try (RawHttp raw = new RawHttp(fixture.port())) {
      raw.send(head(body.length)).send(Arrays.copyOf(body, body.length / 2));
      await("the create's transaction open on the one request connection")
          .atMost(Duration.ofSeconds(20))
          .until(() -> openInserts() > 0);

      Api.Reply paused = api.control(running, "pause");
      assertThat(paused.status()).as(paused.body()).isEqualTo(200);
      Api.Reply resumed = api.control(running, "resume");
      assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
      await("the running batch completed while the create held its connection")
          .atMost(Duration.ofSeconds(30))
          .until(() -> storedStatus(running).equals("completed"));
      assertThat(openInserts()).as("the create still holds the request connection").isPositive();

      raw.send(Arrays.copyOfRange(body, body.length / 2, body.length));
      assertThat(raw.readUntil("\"status\"", 1)).as(raw.received()).isTrue();
      assertThat(raw.received()).startsWith("HTTP/1.1 201");
    }
    assertThat(db.queryLong("SELECT count(*) FROM items WHERE status = 'succeeded'"))
        .isEqualTo(300);
  }

  private String storedStatus(String id) {
    return db.queryText("SELECT status FROM batches WHERE id = '" + id + "'");
  }

  private static String head(int length) {
    return "POST /api/generation/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
        + "\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  private long openInserts() {
    return db.queryLong(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND xact_start"
            + " IS NOT NULL AND query LIKE 'INSERT INTO items%'");
  }
}
