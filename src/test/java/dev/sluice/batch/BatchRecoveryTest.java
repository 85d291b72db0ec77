package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A runner whose write fails stops, and its batch is recovered from the database: the recovery
 * keeps trying while the database refuses writes (a trigger refuses every batch update, as a
 * database that is failing would), shows the batch without a runner in readiness and metrics, and
 * the batch runs on as soon as writes succeed again — with no restart (docs/architecture.md,
 * "Recovery").
 */
class BatchRecoveryTest {

  private static final String REFUSE =
      "CREATE OR REPLACE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS"
          + " $$ BEGIN RAISE EXCEPTION 'writes are refused'; END $$;"
          + " CREATE TRIGGER refuse_writes BEFORE UPDATE ON batches"
          + " FOR EACH ROW EXECUTE FUNCTION refuse_writes()";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_SIMULATED_LATENCY_MS", "20", "SLUICE_SIMULATED_FAILURE_RATE", "0");

  private final Api api = fixture.api();
  private final TestDatabase db = fixture.db();

  @Test
  @DisplayName(
      "A batch whose writes fail is recovered again and again until the database takes them, then runs on without a restart")
  void failedWritesAreRecovered() {
    String id = api.createBatch("refused-writes", 600, 4);
    await().atMost(Duration.ofSeconds(20)).until(() -> api.counts(id).getInteger("succeeded") >= 8);

    db.execute(REFUSE);
    try {
      await("the runner loses the batch and recovery fails several times")
          .atMost(Duration.ofSeconds(20))
          .until(() -> failedRecoveries() >= 3);
      JsonObject ready = api.get("/health/ready").json();
      assertThat(ready.getJsonObject("checks").getJsonObject("runners").getString("detail"))
          .contains(id)
          .contains("wait for a runner");
      assertThat(api.get("/metrics").body()).contains("sluice_batches_without_runner 1.0");
      Api.Reply pause = api.control(id, "pause");
      assertThat(pause.status()).as("pause while no runner: %s", pause.body()).isEqualTo(503);
      assertThat(pause.raw().headers().firstValue("Retry-After")).isPresent();
    } finally {
      db.execute("DROP TRIGGER refuse_writes ON batches");
    }
    int frozen = api.counts(id).getInteger("succeeded");

    await("the batch progresses again within seconds")
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.counts(id).getInteger("succeeded") > frozen);
    await().atMost(Duration.ofSeconds(60)).until(() -> api.status(id).equals("completed"));
    assertThat(api.items(id))
        .allSatisfy(i -> assertThat(i.getString("status")).isEqualTo("succeeded"))
        .extracting(i -> i.getString("id"))
        .doesNotHaveDuplicates()
        .hasSize(600);
    assertThat(api.get("/metrics").body()).contains("sluice_batches_without_runner 0.0");
    assertThat(
            api.get("/health/ready")
                .json()
                .getJsonObject("checks")
                .getJsonObject("runners")
                .getString("status"))
        .isEqualTo("UP");
  }

  @Test
  @DisplayName("A refused control writes nothing: pausing a paused batch leaves its row untouched")
  void refusalWritesNothing() {
    String id = api.createBatch("refusal", 200, 2);
    assertThat(api.control(id, "pause").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.counts(id).getInteger("inProgress") == 0);
    String before = row(id);

    Api.Reply again = api.control(id, "pause");
    Api.Reply resumeTwice = api.control(id, "retry-failed");

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("batchStatus")).isEqualTo("paused");
    assertThat(resumeTwice.status()).isEqualTo(409);
    assertThat(row(id)).as("version and updated_at after two refusals").isEqualTo(before);
  }

  /** The largest count of failed recoveries readiness reports for a batch. */
  private int failedRecoveries() {
    String detail =
        api.get("/health/ready")
            .json()
            .getJsonObject("checks")
            .getJsonObject("runners")
            .getString("detail", "");
    var m = java.util.regex.Pattern.compile("after (\\d+) failed").matcher(detail);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private String row(String id) {
    return db.queryLong(
            "SELECT version FROM batches WHERE id = '" + java.util.UUID.fromString(id) + "'")
        + "/"
        + db.queryLong(
            "SELECT (extract(epoch FROM updated_at) * 1000000)::bigint FROM batches WHERE id = '"
                + java.util.UUID.fromString(id)
                + "'");
  }
}
