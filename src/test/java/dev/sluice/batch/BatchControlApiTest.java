package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Control commands over HTTP against a real Sluice and PostgreSQL, with a generator the test holds,
 * so items stay in flight exactly as long as each test needs.
 */
class BatchControlApiTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final GatedGenerator gate =
      new GatedGenerator().failWhenPromptContains("FAIL").faultBatchWhenPromptContains("FAULT");

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings().generator(vertx -> gate).beforeClose(gate::releaseAll);

  private final Api api = fixture.api();

  @AfterEach
  void releaseLeftovers() {
    gate.releaseAll();
  }

  @Test
  @DisplayName(
      "Cancel with items in flight: in-flight items finish and are kept, pending ones are cancelled, completed ones stay")
  void cancelKeepsFinishedWork() {
    String id = api.createBatch("cancel", 10, 3);
    await().atMost(WAIT).until(() -> gate.inFlight(id) == 3);
    gate.releaseAll();
    await()
        .atMost(WAIT)
        .until(() -> api.counts(id).getInteger("succeeded") == 3 && gate.inFlight(id) == 3);

    Api.Reply cancel = api.control(id, "cancel");

    assertThat(cancel.status()).isEqualTo(200);
    JsonObject body = cancel.json();
    assertThat(body.getString("status")).isEqualTo("cancelled");
    assertThat(body.getJsonObject("counts").getInteger("inProgress")).isEqualTo(3);
    assertThat(body.getJsonObject("counts").getInteger("cancelled")).isEqualTo(4);
    assertThat(body.getJsonObject("controls").getMap())
        .containsOnlyKeys("pause", "resume", "cancel", "retryFailed")
        .doesNotContainValue(true);

    gate.releaseAll();
    await().atMost(WAIT).until(() -> api.counts(id).getInteger("inProgress") == 0);
    JsonObject counts = api.counts(id);
    assertThat(counts.getInteger("succeeded")).isEqualTo(6);
    assertThat(counts.getInteger("cancelled")).isEqualTo(4);
    assertThat(api.status(id)).isEqualTo("cancelled");
    List<JsonObject> items = api.items(id);
    assertThat(items)
        .filteredOn(i -> i.getString("status").equals("succeeded"))
        .hasSize(6)
        .allSatisfy(i -> assertThat(i.getString("output")).startsWith("Answer to:"));
    assertThat(items).filteredOn(i -> i.getBoolean("finishedAfterCancel")).hasSize(3);
    assertThat(items).filteredOn(i -> i.getString("status").equals("cancelled")).hasSize(4);
    assertThat(gate.inFlight(id)).isZero();
    assertThat(transitions(id)).containsExactly("created>running", "running>cancelled");
  }

  @Test
  @DisplayName("Retry-failed re-dispatches only the failed items, and the batch completes")
  void retryFailedOnlyRedispatchesFailed() {
    JsonObject body = Api.batchBody("retry", 6, 6);
    JsonArray items = body.getJsonArray("items");
    items.getJsonObject(1).put("prompt", "FAIL this one");
    items.getJsonObject(4).put("prompt", "FAIL that one");
    String id = api.createBatch(body);
    await().atMost(WAIT).until(() -> gate.inFlight(id) == 6);
    gate.releaseAll();
    await().atMost(WAIT).until(() -> api.status(id).equals("completed"));
    assertThat(api.counts(id).getInteger("failed")).isEqualTo(2);
    assertThat(api.batch(id).getJsonObject("controls").getBoolean("retryFailed")).isTrue();

    gate.stopFailing("FAIL");
    int callsBefore = gate.calls();
    Api.Reply retry = api.control(id, "retry-failed");

    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().getString("status")).isEqualTo("running");
    await().atMost(WAIT).until(() -> gate.inFlight(id) == 2);
    assertThat(gate.inFlightSeqs(id)).containsExactly(2, 5);
    gate.releaseAll();
    await().atMost(WAIT).until(() -> api.status(id).equals("completed"));
    assertThat(gate.calls()).isEqualTo(callsBefore + 2);
    assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(6);
    assertThat(transitions(id))
        .containsExactly(
            "created>running", "running>completed", "completed>running", "running>completed");
    gate.stopFailing("never");
    gate.failWhenPromptContains("FAIL");
  }

  @Test
  @DisplayName(
      "A batch-level fault fails the batch with its reason and keeps the items that finished")
  void batchFaultFailsBatch() {
    JsonObject body = Api.batchBody("fault", 3, 1);
    body.getJsonArray("items").getJsonObject(1).put("prompt", "FAULT here");
    String id = api.createBatch(body);
    await().atMost(WAIT).until(() -> gate.inFlight(id) == 1);
    gate.releaseAll();
    await()
        .atMost(WAIT)
        .until(() -> gate.inFlight(id) == 1 && api.counts(id).getInteger("succeeded") == 1);
    gate.releaseAll();
    await().atMost(WAIT).until(() -> api.status(id).equals("failed"));

    JsonObject batch = api.batch(id);
    assertThat(batch.getString("statusReason")).contains("API key");
    assertThat(batch.getJsonObject("counts").getInteger("succeeded")).isEqualTo(1);
    assertThat(batch.getJsonObject("counts").getInteger("failed")).isEqualTo(1);
    assertThat(batch.getJsonObject("counts").getInteger("pending")).isEqualTo(1);
    assertThat(api.items(id)).filteredOn(i -> i.getString("status").equals("succeeded")).hasSize(1);
    assertThat(batch.getJsonObject("controls").getBoolean("retryFailed")).isTrue();
    assertThat(batch.getJsonObject("controls").getBoolean("cancel")).isFalse();
  }

  @Test
  @DisplayName("Pause and cancel sent at the same time end in one consistent state, every time")
  void pauseAndCancelRace() {
    for (int round = 0; round < 8; round++) {
      String id = api.createBatch("race-" + round, 6, 2);
      await().atMost(WAIT).until(() -> gate.inFlight(id) == 2);
      CompletableFuture<Api.Reply> pause =
          CompletableFuture.supplyAsync(() -> api.control(id, "pause"));
      CompletableFuture<Api.Reply> cancel =
          CompletableFuture.supplyAsync(() -> api.control(id, "cancel"));
      Api.Reply p = pause.join();
      Api.Reply c = cancel.join();

      assertThat(c.status()).as("cancel always wins or follows the pause").isEqualTo(200);
      assertThat(p.status()).isIn(200, 409);
      assertThat(api.status(id)).isEqualTo("cancelled");
      if (p.status() == 409) {
        assertThat(p.json().getString("batchStatus")).isEqualTo("cancelled");
        assertThat(transitions(id)).containsExactly("created>running", "running>cancelled");
      } else {
        assertThat(transitions(id))
            .containsExactly("created>running", "running>paused", "paused>cancelled");
      }
      gate.releaseAll();
      await().atMost(WAIT).until(() -> api.counts(id).getInteger("inProgress") == 0);
      JsonObject counts = api.counts(id);
      assertThat(counts.getInteger("succeeded") + counts.getInteger("cancelled")).isEqualTo(6);
    }
  }

  static Stream<Arguments> transitionTable() {
    return Stream.of(
        Arguments.of("running", "pause", "paused"),
        Arguments.of("running", "resume", "409"),
        Arguments.of("running", "cancel", "cancelled"),
        Arguments.of("running", "retry-failed", "409"),
        Arguments.of("paused", "pause", "409"),
        Arguments.of("paused", "resume", "running"),
        Arguments.of("paused", "cancel", "cancelled"),
        Arguments.of("paused", "retry-failed", "409"),
        Arguments.of("completed", "pause", "409"),
        Arguments.of("completed", "resume", "409"),
        Arguments.of("completed", "cancel", "409"),
        Arguments.of("completed", "retry-failed", "409"),
        Arguments.of("completed-with-failures", "pause", "409"),
        Arguments.of("completed-with-failures", "resume", "409"),
        Arguments.of("completed-with-failures", "cancel", "409"),
        Arguments.of("completed-with-failures", "retry-failed", "running"),
        Arguments.of("failed", "pause", "409"),
        Arguments.of("failed", "resume", "409"),
        Arguments.of("failed", "cancel", "409"),
        Arguments.of("failed", "retry-failed", "running"),
        Arguments.of("cancelled", "pause", "409"),
        Arguments.of("cancelled", "resume", "409"),
        Arguments.of("cancelled", "cancel", "409"),
        Arguments.of("cancelled", "retry-failed", "409"),
        Arguments.of("expired", "pause", "409"),
        Arguments.of("expired", "resume", "409"),
        Arguments.of("expired", "cancel", "409"),
        Arguments.of("expired", "retry-failed", "409"),
        Arguments.of("expired-with-failures", "pause", "409"),
        Arguments.of("expired-with-failures", "resume", "409"),
        Arguments.of("expired-with-failures", "cancel", "409"),
        Arguments.of("expired-with-failures", "retry-failed", "running"));
  }

  @ParameterizedTest(name = "{0} + {1} -> {2}")
  @MethodSource("transitionTable")
  @DisplayName(
      "Every cell of the batch transition table answers 200 with the new state or 409 with the current one")
  void transitionTableOverHttp(String state, String command, String expected) {
    String id = batchIn(state);
    String before = api.status(id);

    Api.Reply reply = api.control(id, command);

    if (expected.equals("409")) {
      assertThat(reply.status()).isEqualTo(409);
      assertThat(reply.contentType()).startsWith("application/problem+json");
      assertThat(reply.json().getString("batchStatus")).isEqualTo(before);
      assertThat(reply.json().getString("detail")).isNotBlank();
      assertThat(api.status(id)).isEqualTo(before);
    } else {
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().getString("status")).isEqualTo(expected);
      assertThat(api.status(id)).isIn(expected, "completed");
    }
    if (!api.status(id).equals("cancelled")
        && api.batch(id).getJsonObject("controls").getBoolean("cancel")) {
      api.control(id, "cancel");
    }
  }

  @Test
  @DisplayName("The transition table above covers every batch state and every control")
  void tableCoversEveryCell() {
    List<String> cells = transitionTable().map(a -> a.get()[0] + "/" + a.get()[1]).toList();
    for (BatchStatus status : BatchStatus.values()) {
      for (String command : List.of("pause", "resume", "cancel", "retry-failed")) {
        assertThat(cells).anyMatch(c -> c.startsWith(status.wire()) && c.endsWith("/" + command));
      }
    }
    assertThat(cells).doesNotHaveDuplicates();
  }

  /** A new batch brought into the named state. */
  private String batchIn(String state) {
    switch (state) {
      case "running" -> {
        String id = api.createBatch("s-running", 3, 1);
        await().atMost(WAIT).until(() -> gate.inFlight(id) == 1);
        return id;
      }
      case "paused" -> {
        String id = batchIn("running");
        assertThat(api.control(id, "pause").status()).isEqualTo(200);
        return id;
      }
      case "cancelled" -> {
        String id = batchIn("running");
        assertThat(api.control(id, "cancel").status()).isEqualTo(200);
        gate.releaseAll();
        return id;
      }
      case "completed", "completed-with-failures", "failed" -> {
        JsonObject body = Api.batchBody("s-" + state, 2, 2);
        String marker =
            state.equals("completed") ? null : state.equals("failed") ? "FAULT" : "FAIL";
        if (marker != null) {
          body.getJsonArray("items").getJsonObject(0).put("prompt", marker + " item");
        }
        String id = api.createBatch(body);
        String target = state.equals("failed") ? "failed" : "completed";
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  gate.releaseAll();
                  return api.status(id).equals(target)
                      && api.counts(id).getInteger("inProgress") == 0;
                });
        return id;
      }
      case "expired", "expired-with-failures" -> {
        // Two items held in flight while the one-second window passes; a third is never started.
        JsonObject body = Api.batchBody("s-" + state, 3, 2).put("completionWindow", "1s");
        if (state.equals("expired-with-failures")) {
          body.getJsonArray("items").getJsonObject(0).put("prompt", "FAIL item");
        }
        String id = api.createBatch(body);
        await().atMost(WAIT).until(() -> api.status(id).equals("expired"));
        gate.releaseAll();
        await().atMost(WAIT).until(() -> api.counts(id).getInteger("inProgress") == 0);
        return id;
      }
      default -> throw new IllegalArgumentException(state);
    }
  }

  private List<String> transitions(String id) {
    return api.get("/api/generation/batch/" + id + "/events").json().getJsonArray("data").stream()
        .map(o -> ((JsonObject) o).getString("from") + ">" + ((JsonObject) o).getString("to"))
        .toList();
  }
}
