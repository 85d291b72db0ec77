package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A window far smaller than the batch, with retries and retry-failed: items are paged in from the
 * database, retried items are found again by a rescan, and every item still ends exactly once.
 */
class BatchPagingTest {

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_BATCH_WINDOW",
          "7",
          "SLUICE_BATCH_COMMIT_MAX_ITEMS",
          "4",
          "SLUICE_SIMULATED_LATENCY_MS",
          "3",
          "SLUICE_SIMULATED_FAILURE_RATE",
          "0.35");

  private final Api api = fixture.api();
  private final TestDatabase db = fixture.db();

  @Test
  @DisplayName(
      "A batch many windows long, with retries, completes with every item in one final state and counts that match the rows")
  void pagesThroughWithRetries() {
    JsonObject body = Api.batchBody("paged", 150, 5).put("maxAttempts", 3);
    String id = api.createBatch(body);

    await().atMost(Duration.ofSeconds(60)).until(() -> api.status(id).equals("completed"));

    List<JsonObject> items = api.items(id);
    assertThat(items).hasSize(150).extracting(i -> i.getString("id")).doesNotHaveDuplicates();
    assertThat(items)
        .allSatisfy(i -> assertThat(i.getString("status")).isIn("succeeded", "failed"));
    assertThat(items).filteredOn(i -> i.getInteger("attempts") > 1).isNotEmpty();
    assertThat(items)
        .filteredOn(i -> i.getString("status").equals("failed"))
        .allSatisfy(
            i ->
                assertThat(
                        i.getInteger("attempts") == 3
                            || i.getJsonObject("error").getString("code").equals("item_error"))
                    .isTrue());
    JsonObject counts = api.counts(id);
    long succeededRows =
        items.stream().filter(i -> i.getString("status").equals("succeeded")).count();
    assertThat(counts.getLong("succeeded")).isEqualTo(succeededRows);
    assertThat(counts.getLong("failed")).isEqualTo(150 - succeededRows);

    int failed = counts.getInteger("failed");
    assertThat(failed).isPositive();
    assertThat(api.control(id, "retry-failed").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).until(() -> api.status(id).equals("completed"));
    JsonObject after = api.counts(id);
    assertThat(after.getInteger("succeeded") + after.getInteger("failed")).isEqualTo(150);
    assertThat(after.getInteger("succeeded")).isGreaterThan(counts.getInteger("succeeded"));
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM items WHERE batch_id = '"
                    + id
                    + "' AND status IN ('pending', 'in_progress')"))
        .isZero();
  }
}
