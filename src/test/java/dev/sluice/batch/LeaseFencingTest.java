package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.Sluice;
import dev.sluice.support.Api;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A batch another node has claimed (a new epoch, its own lease) is lost to this one: its renewal
 * extends nothing, and its runner stops at once without writing or dispatching again.
 */
class LeaseFencingTest {

  private static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestDatabase.create(LeaseFencingTest.class);
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  @DisplayName(
      "After another node claims the batch, this node's renewal leaves the new lease alone and its"
          + " runner stops writing")
  void renewalIsFencedByEpoch() {
    try (Sluice sluice =
        Sluice.start(
            TestConfig.of(
                db,
                "SLUICE_SIMULATED_LATENCY_MS",
                "30",
                "SLUICE_SIMULATED_FAILURE_RATE",
                "0",
                "SLUICE_NODE_LEASE_TTL_MS",
                "3000"))) {
      Api api = new Api(sluice.port());
      String id = api.createBatch("fenced", 3_000, 2);
      String where = " FROM batches WHERE id = '" + UUID.fromString(id) + "'";
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> db.queryLong("SELECT succeeded" + where) > 4);

      db.execute(
          "UPDATE batches SET owner_node = 'elsewhere', epoch = epoch + 1, lease_until = now() +"
              + " interval '10 minutes' WHERE id = '"
              + id
              + "'");
      long leaseAfterClaim = db.queryLong("SELECT extract(epoch FROM lease_until) * 1000" + where);

      long[] last = {-1};
      await("the commit in flight at the claim settles")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                long now = db.queryLong("SELECT version" + where);
                boolean settled = now == last[0];
                last[0] = now;
                return settled;
              });
      long version = db.queryLong("SELECT version" + where);
      await("nothing more is written for the batch by the node that lost it")
          .during(Duration.ofMillis(2_500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> db.queryLong("SELECT version" + where) == version);
      assertThat(db.queryText("SELECT owner_node" + where)).isEqualTo("elsewhere");
      assertThat(db.queryLong("SELECT extract(epoch FROM lease_until) * 1000" + where))
          .as("the other node's lease, not extended by this one")
          .isEqualTo(leaseAfterClaim);
    }
  }
}
