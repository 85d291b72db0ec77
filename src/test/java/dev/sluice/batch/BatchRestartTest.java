package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.Sluice;
import dev.sluice.app.SluiceConfig;
import dev.sluice.support.Api;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Restarts of the Vert.x instance on the same database: graceful and abrupt. */
class BatchRestartTest {

  private static TestDatabase db;
  private static SluiceConfig config;
  private Sluice sluice;

  @BeforeAll
  static void database() {
    db = TestDatabase.create(BatchRestartTest.class);
    config =
        TestConfig.of(
            db, "SLUICE_SIMULATED_LATENCY_MS", "40", "SLUICE_SIMULATED_FAILURE_RATE", "0");
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
  @DisplayName("A paused batch is still paused after a restart, and then resumes and completes")
  void pausedSurvivesRestart() {
    sluice = Sluice.start(config);
    Api api = new Api(sluice.port());
    String id = api.createBatch("paused-restart", 80, 4);
    await().atMost(Duration.ofSeconds(20)).until(() -> api.counts(id).getInteger("succeeded") >= 4);
    assertThat(api.control(id, "pause").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.counts(id).getInteger("inProgress") == 0);
    int succeededBeforeRestart = api.counts(id).getInteger("succeeded");

    sluice.close();
    sluice = Sluice.start(config);
    Api after = new Api(sluice.port());

    assertThat(after.status(id)).isEqualTo("paused");
    assertThat(after.counts(id).getInteger("succeeded")).isEqualTo(succeededBeforeRestart);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(3))
        .until(() -> after.counts(id).getInteger("succeeded") == succeededBeforeRestart);
    assertThat(after.control(id, "resume").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> after.status(id).equals("completed"));
    assertThat(after.counts(id).getInteger("succeeded")).isEqualTo(80);
  }

  @Test
  @DisplayName(
      "A running batch recovers after an abrupt stop: in-flight items run again, finished ones are kept, each item ends once")
  void runningRecoversAfterAbruptStop() {
    sluice = Sluice.start(config);
    Api api = new Api(sluice.port());
    String id = api.createBatch("abrupt", 200, 8);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> api.counts(id).getInteger("succeeded") >= 20);
    Map<String, String> finishedBefore = outputs(api.items(id));

    sluice.halt();
    sluice = Sluice.start(config);
    Api after = new Api(sluice.port());

    assertThat(after.status(id)).isEqualTo("running");
    await().atMost(Duration.ofSeconds(40)).until(() -> after.status(id).equals("completed"));
    List<JsonObject> items = after.items(id);
    assertThat(items).hasSize(200).extracting(i -> i.getString("id")).doesNotHaveDuplicates();
    assertThat(items)
        .allSatisfy(
            i -> {
              assertThat(i.getString("status")).isEqualTo("succeeded");
              assertThat(i.getInteger("attempts")).isEqualTo(1);
            });
    Map<String, String> finishedAfter = outputs(items);
    finishedBefore.forEach((item, output) -> assertThat(finishedAfter).containsEntry(item, output));
    JsonObject counts = after.counts(id);
    assertThat(counts.getInteger("succeeded")).isEqualTo(200);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM batch_events WHERE to_status = 'completed' AND batch_id = '"
                    + id
                    + "'"))
        .isEqualTo(1);
  }

  private static Map<String, String> outputs(List<JsonObject> items) {
    return items.stream()
        .filter(i -> i.getString("status").equals("succeeded"))
        .collect(
            Collectors.toMap(
                i -> i.getString("id"),
                i -> i.getString("output") + "@" + i.getString("finishedAt")));
  }
}
