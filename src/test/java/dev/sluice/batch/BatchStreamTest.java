package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.SseClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The live stream of a batch: events on change, throttling, Last-Event-ID, and its refusals. */
@DisplayName("GET /batch/:batchId/stream pushes the batch's stored changes as server-sent events.")
class BatchStreamTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String BASE = "/api/generation/batch/";

  private static final GatedGenerator generator = new GatedGenerator();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings().generator(v -> generator).beforeClose(generator::releaseAll);

  private final Api api = fixture.api();

  @Test
  @DisplayName(
      "On connect the stored state comes first, with its version as the event id; a pause then arrives as a transition and a new state.")
  void sendsStateThenChanges() {
    String id = api.createBatch(Api.batchBody("Streamed", 4, 2));
    try (SseClient sse = SseClient.connect(fixture.port(), BASE + id + "/stream", null)) {
      assertThat(sse.response().statusCode()).isEqualTo(200);
      assertThat(sse.response().headers().firstValue("Content-Type")).hasValue("text/event-stream");
      SseClient.Event first = sse.next("batch", WAIT);
      JsonObject batch = first.json();
      assertThat(batch.getString("id")).isEqualTo(id);
      assertThat(first.id()).isEqualTo(String.valueOf(batch.getLong("version")));
      assertThat(batch.getJsonObject("controls").getBoolean("pause")).isTrue();

      assertThat(api.control(id, "pause").status()).isEqualTo(200);
      SseClient.Event transition = sse.next("transition", WAIT);
      assertThat(transition.json().getString("from")).isEqualTo("running");
      assertThat(transition.json().getString("to")).isEqualTo("paused");
      JsonObject paused = awaitStatus(sse, "paused");
      assertThat(paused.getJsonObject("controls").getBoolean("resume")).isTrue();
      assertThat(paused.getJsonObject("controls").getBoolean("pause")).isFalse();
      assertThat(paused.getLong("version")).isGreaterThan(batch.getLong("version"));
    }
  }

  @Test
  @DisplayName(
      "Many quick changes are coalesced to at most about four events a second, and the last one shows the final state.")
  void throttlesAndEndsOnTheLatestState() {
    String id = api.createBatch(Api.batchBody("Busy", 60, 3));
    try (SseClient sse = SseClient.connect(fixture.port(), BASE + id + "/stream", null)) {
      SseClient.Event first = sse.next("batch", WAIT);
      await()
          .atMost(WAIT)
          .until(
              () -> {
                generator.release(id);
                return api.status(id).equals("completed");
              });
      List<SseClient.Event> events = new ArrayList<>();
      JsonObject last;
      do {
        SseClient.Event e = sse.next("batch", WAIT);
        events.add(e);
        last = e.json();
      } while (!last.getString("status").equals("completed"));
      assertThat(last.getJsonObject("counts").getInteger("succeeded")).isEqualTo(60);
      long stored = api.batch(id).getLong("version");
      assertThat(last.getLong("version")).isEqualTo(stored);
      assertThat(stored)
          .as("the batch changed far more often than it was sent")
          .isGreaterThan(events.size());
      long spanMillis = (events.get(events.size() - 1).nanos() - first.nanos()) / 1_000_000;
      assertThat(events.size())
          .as("batch events in %d ms, at most one per 250 ms (with slack for delivery)", spanMillis)
          .isLessThanOrEqualTo((int) (spanMillis / 200) + 2);
    }
  }

  @Test
  @DisplayName(
      "A client that reconnects with Last-Event-ID gets the state only when it is newer than its own.")
  void resumesFromLastEventId() {
    String id = api.createBatch(Api.batchBody("Reconnecting", 4, 1));
    String seen;
    try (SseClient sse = SseClient.connect(fixture.port(), BASE + id + "/stream", null)) {
      seen = sse.next("batch", WAIT).id();
    }
    assertThat(api.control(id, "pause").status()).isEqualTo(200);
    long now = api.batch(id).getLong("version");

    try (SseClient behind = SseClient.connect(fixture.port(), BASE + id + "/stream", seen)) {
      SseClient.Event caughtUp = behind.next("batch", WAIT);
      assertThat(caughtUp.id()).isEqualTo(String.valueOf(now));
      assertThat(caughtUp.json().getString("status")).isEqualTo("paused");
    }

    try (SseClient current =
        SseClient.connect(fixture.port(), BASE + id + "/stream", String.valueOf(now))) {
      assertThat(api.control(id, "resume").status()).isEqualTo(200);
      SseClient.Event next = current.next("batch", WAIT);
      assertThat(Long.parseLong(next.id()))
          .as("nothing at or before %d is resent", now)
          .isGreaterThan(now);
      assertThat(next.json().getString("status")).isEqualTo("running");
    }
  }

  @Test
  @DisplayName(
      "An unknown batch is a 404 problem and a malformed id a 400, before any stream opens.")
  void refusesLikeTheOtherRoutes() {
    Api.Reply unknown = api.get(BASE + UUID.randomUUID() + "/stream");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).isEqualTo("application/problem+json");
    Api.Reply malformed = api.get(BASE + "not-a-batch/stream");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("type")).endsWith("/bad-request");
  }

  private static JsonObject awaitStatus(SseClient sse, String status) {
    while (true) {
      JsonObject batch = sse.next("batch", WAIT).json();
      if (batch.getString("status").equals(status)) {
        return batch;
      }
    }
  }
}
