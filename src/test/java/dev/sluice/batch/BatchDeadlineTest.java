package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deadlines through the native API: a batch whose deadline passes ends expired. */
@DisplayName("Batch deadlines")
class BatchDeadlineTest {

  @RegisterExtension
  static final SluiceFixture sluice =
      SluiceFixture.withSettings(
          "SLUICE_SIMULATED_LATENCY_MS", "40", "SLUICE_SIMULATED_FAILURE_RATE", "0");

  private Api api;

  @BeforeEach
  void client() {
    api = sluice.api();
  }

  @Test
  @DisplayName(
      "A completion window that passes mid-run expires the batch: finished work is kept, pending"
          + " items are not started, controls but retry-failed are refused")
  void windowExpiresMidRun() {
    JsonObject body = Api.batchBody("deadline", 200, 2).put("completionWindow", "1s");
    Instant before = Instant.now();
    String id = api.createBatch(body);
    Instant deadline = Instant.parse(api.batch(id).getString("deadline"));
    assertThat(deadline).isBetween(before.plusMillis(900), Instant.now().plusSeconds(1));

    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("expired"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.counts(id).getInteger("inProgress") == 0);

    JsonObject batch = api.batch(id);
    JsonObject counts = batch.getJsonObject("counts");
    assertThat(batch.getString("statusReason")).isEqualTo("deadline_passed");
    assertThat(counts.getInteger("succeeded")).isBetween(1, 199);
    assertThat(counts.getInteger("pending")).isZero();
    assertThat(counts.getInteger("succeeded") + counts.getInteger("cancelled")).isEqualTo(200);
    assertThat(api.items(id))
        .filteredOn(i -> i.getString("status").equals("succeeded"))
        .hasSize(counts.getInteger("succeeded"))
        .allSatisfy(i -> assertThat(i.getString("output")).isNotBlank());
    for (String command : new String[] {"pause", "resume", "cancel", "retry-failed"}) {
      assertThat(api.control(id, command).status()).as(command).isEqualTo(409);
    }
    assertThat(batch.getJsonObject("controls").getBoolean("retryFailed")).isFalse();
    JsonArray events =
        api.get("/api/generation/batch/" + id + "/events").json().getJsonArray("data");
    JsonObject last = events.getJsonObject(events.size() - 1);
    assertThat(last.getString("from")).isEqualTo("running");
    assertThat(last.getString("to")).isEqualTo("expired");
    assertThat(last.getString("actor")).isEqualTo("system");
    JsonArray listed = api.get("/api/generation/batch?status=expired").json().getJsonArray("data");
    assertThat(listed).extracting(o -> ((JsonObject) o).getString("id")).contains(id);
  }

  @Test
  @DisplayName(
      "A batch that finishes before its deadline completes as usual and keeps the deadline")
  void finishesInTime() {
    String id =
        api.createBatch(Api.batchBody("in time", 3, 3).put("deadline", "2999-01-01T00:00:00Z"));

    await().atMost(Duration.ofSeconds(10)).until(() -> api.status(id).equals("completed"));
    assertThat(api.batch(id).getString("deadline")).isEqualTo("2999-01-01T00:00:00Z");
  }

  @Test
  @DisplayName("A deadline in the past or an unreadable window is a 422 naming the field")
  void badDeadlines() {
    Api.Reply past =
        api.post(
            "/api/generation/batch",
            Api.batchBody("past", 1, 1).put("deadline", "2001-01-01T00:00:00Z").encode());
    assertThat(past.status()).isEqualTo(422);
    assertThat(past.json().getString("field")).isEqualTo("deadline");
    Api.Reply window =
        api.post(
            "/api/generation/batch",
            Api.batchBody("window", 1, 1).put("completionWindow", "a while").encode());
    assertThat(window.status()).isEqualTo(422);
    assertThat(window.json().getString("field")).isEqualTo("completionWindow");
  }
}
