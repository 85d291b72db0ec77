package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.CreateBodies;
import dev.sluice.support.RawHttp;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TcpProxy;
import dev.sluice.support.TestDatabase;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database that goes away in the middle of a large create, after chunks of it were written in its
 * transaction, costs the create (503) and leaves nothing stored: Sluice's connections go through a
 * TCP proxy the test cuts, as in the outage tests of the HTTP edge.
 */
class StreamingCreateOutageTest {

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings("SLUICE_SIMULATED_LATENCY_MS", "600000").throughProxy();

  private final TestDatabase db = fixture.db();
  private final TcpProxy proxy = fixture.proxy();

  @Test
  @DisplayName(
      "The database cut off half-way through a create is a 503, and nothing of the batch is stored")
  void databaseGoneHalfWay() {
    String reply = replyWhenHalfWay("outage", proxy::cut, proxy::restore);

    assertThat(reply).startsWith("HTTP/1.1 503");
    await().atMost(Duration.ofSeconds(20)).until(() -> openInserts() == 0);
    assertNothingStored();
  }

  @Test
  @DisplayName(
      "A database that stops answering half-way through a create is a 503 within seconds, and nothing of the batch is stored")
  void databaseSilentHalfWay() {
    String reply = replyWhenHalfWay("silent", proxy::silence, proxy::unsilence);

    assertThat(reply).startsWith("HTTP/1.1 503");
    // The rollback went unanswered too; the server ends the idle transaction itself
    // (idle_in_transaction_session_timeout, half a lease), and nothing of it was ever committed.
    await().atMost(Duration.ofSeconds(60)).until(() -> openInserts() == 0);
    assertNothingStored();
  }

  /**
   * Sends half of a 40,000-item create, waits until its first chunks are being written, applies
   * {@code fault} to the database's connections, sends the rest and returns what Sluice answered
   * (which must name the database as unavailable); {@code repair} undoes the fault.
   */
  private String replyWhenHalfWay(String name, Runnable fault, Runnable repair) {
    byte[] body = CreateBodies.json(name, 40_000, CreateBodies::promptItem);
    try (RawHttp raw = new RawHttp(fixture.port())) {
      raw.send(StreamingCreateTest.head("application/json", body.length))
          .send(Arrays.copyOf(body, body.length / 2));
      await("the first chunks written in the create's open transaction")
          .atMost(Duration.ofSeconds(20))
          .until(() -> openInserts() > 0);

      fault.run();
      try {
        raw.send(Arrays.copyOfRange(body, body.length / 2, body.length));
        assertThat(raw.readUntil("database-unavailable", 1)).as(raw.received()).isTrue();
        return raw.received();
      } finally {
        repair.run();
      }
    }
  }

  private void assertNothingStored() {
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM items")).isZero();
  }

  private long openInserts() {
    return db.queryLong(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND xact_start"
            + " IS NOT NULL AND query LIKE 'INSERT INTO items%'");
  }
}
