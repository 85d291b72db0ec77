package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.Sluice;
import dev.sluice.app.SluiceConfig;
import dev.sluice.support.Api;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A single node stopped gracefully (as on SIGTERM) stores its work and releases its leases. */
class GracefulStopTest {

  private static TestDatabase db;
  private static SluiceConfig config;
  private Sluice sluice;

  @BeforeAll
  static void database() {
    db = TestDatabase.create(GracefulStopTest.class);
    config =
        TestConfig.of(
            db,
            "SLUICE_SIMULATED_LATENCY_MS",
            "40",
            "SLUICE_SIMULATED_FAILURE_RATE",
            "0",
            "SLUICE_NODE_LEASE_TTL_MS",
            "600000",
            "SLUICE_SHUTDOWN_GRACE_MS",
            "5000");
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
  }

  @Test
  @DisplayName(
      "A graceful stop lets items in flight finish, leaves nothing in progress, releases the"
          + " lease, and the restarted node runs the batch to the end")
  void stopsCleanlyAndResumesAfterRestart() {
    sluice = Sluice.start(config);
    Api api = new Api(sluice.port());
    String id = api.createBatch("graceful", 300, 8);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> api.counts(id).getInteger("succeeded") >= 16);

    sluice.shutdown();
    sluice = null;

    String where = " FROM batches WHERE id = '" + UUID.fromString(id) + "'";
    assertThat(db.queryLong("SELECT in_progress" + where)).as("items left in flight").isZero();
    assertThat(db.queryLong("SELECT count(*)" + where + " AND owner_node IS NULL"))
        .as("the lease is released")
        .isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*)" + where + " AND lease_until <= now()")).isEqualTo(1);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM items WHERE status = 'in_progress' AND batch_id = '"
                    + id
                    + "'"))
        .isZero();
    long succeeded = db.queryLong("SELECT succeeded" + where);
    assertThat(succeeded).isBetween(16L, 299L);

    sluice = Sluice.start(config);
    Api after = new Api(sluice.port());
    assertThat(after.status(id)).isEqualTo("running");
    await().atMost(Duration.ofSeconds(40)).until(() -> after.status(id).equals("completed"));
    assertThat(after.counts(id).getInteger("succeeded")).isEqualTo(300);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM items WHERE attempts <> 1 AND batch_id = '" + id + "'"))
        .as("items that ran twice")
        .isZero();
  }
}
