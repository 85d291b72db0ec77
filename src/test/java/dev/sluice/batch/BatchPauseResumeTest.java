package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.generate.SimulatedGenerator;
import dev.sluice.support.Api;
import dev.sluice.support.RecordingGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pause and resume with the simulated generator running for real, counting every dispatch. */
class BatchPauseResumeTest {

  private static RecordingGenerator recorder;

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
              "SLUICE_SIMULATED_LATENCY_MS", "60", "SLUICE_SIMULATED_FAILURE_RATE", "0")
          .generator(
              (vertx, config) ->
                  recorder =
                      new RecordingGenerator(new SimulatedGenerator(vertx, config.simulated())));

  private final Api api = fixture.api();

  @Test
  @DisplayName(
      "Pause stops dispatching at the acknowledgement, in-flight items finish, and resume carries on to completion")
  void pauseResumeCycle() {
    String id = api.createBatch("pause-cycle", 60, 4);
    await().atMost(Duration.ofSeconds(20)).until(() -> api.counts(id).getInteger("succeeded") >= 8);

    Api.Reply pause = api.control(id, "pause");
    long ackedAt = System.nanoTime();

    assertThat(pause.status()).isEqualTo(200);
    assertThat(pause.json().getString("status")).isEqualTo("paused");
    JsonObject controls = pause.json().getJsonObject("controls");
    assertThat(controls.getBoolean("pause")).isFalse();
    assertThat(controls.getBoolean("resume")).isTrue();
    assertThat(controls.getBoolean("cancel")).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.counts(id).getInteger("inProgress") == 0);
    AtomicReference<JsonObject> settled = new AtomicReference<>(api.counts(id));
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(5))
        .until(() -> api.counts(id).equals(settled.get()) && api.status(id).equals("paused"));
    assertThat(
            recorder.starts().stream().filter(s -> s.batchId().equals(id) && s.nanos() > ackedAt))
        .isEmpty();
    assertThat(settled.get().getInteger("pending")).isPositive();

    Api.Reply resume = api.control(id, "resume");

    assertThat(resume.status()).isEqualTo(200);
    assertThat(resume.json().getString("status")).isEqualTo("running");
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));
    JsonObject done = api.counts(id);
    assertThat(done.getInteger("succeeded")).isEqualTo(60);
    assertThat(recorder.starts().stream().filter(s -> s.batchId().equals(id)).count())
        .isEqualTo(60);
    assertThat(api.items(id))
        .extracting(i -> i.getString("id"))
        .doesNotHaveDuplicates()
        .hasSize(60);
  }

  @Test
  @DisplayName(
      "A paused batch whose last in-flight item finishes stays paused, and resume then completes it")
  void pausedBatchStaysPausedWhenLastItemFinishes() {
    String id = api.createBatch("pause-last", 3, 3);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                api.counts(id).getInteger("inProgress") == 3 || api.status(id).equals("completed"));
    Api.Reply pause = api.control(id, "pause");
    if (pause.status() == 409) {
      assertThat(pause.json().getString("batchStatus")).isEqualTo("completed");
      return;
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> api.counts(id).getInteger("succeeded") == 3);
    assertThat(api.status(id)).isEqualTo("paused");

    assertThat(api.control(id, "resume").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> api.status(id).equals("completed"));
  }
}
