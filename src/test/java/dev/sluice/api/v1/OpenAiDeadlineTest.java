package dev.sluice.api.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.models.batches.Batch;
import dev.sluice.support.Api;
import dev.sluice.support.OpenAiSdk;
import dev.sluice.support.ProviderSluice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A completion window through the official SDK: when it passes mid-run the batch ends {@code
 * expired} with its finished work in the output file, and a paused batch whose window passes while
 * Sluice is down expires when Sluice starts again.
 */
@DisplayName("OpenAI batch deadlines")
class OpenAiDeadlineTest {

  @RegisterExtension
  final ProviderSluice fixture =
      ProviderSluice.withSettings("SLUICE_BATCH_DEFAULT_CONCURRENCY", "2").latency(40);

  private OpenAiSdk sdk;

  @AfterEach
  void close() {
    if (sdk != null) {
      sdk.close();
    }
  }

  @Test
  @DisplayName(
      "A window that passes mid-run ends the batch expired; the output file holds the finished"
          + " requests and /api shows the same")
  void expiresMidRun() {
    Api api = fixture.start();
    sdk = new OpenAiSdk(fixture.port());
    Batch created = sdk.createBatch(OpenAiSdk.jsonl(200, Set.of()), "1s");
    assertThat(created.completionWindow()).isEqualTo("1s");

    await().atMost(Duration.ofSeconds(20)).until(() -> sdk.status(created.id()).equals("expired"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sdk.retrieve(created.id()).outputFileId().isPresent());

    Batch expired = sdk.retrieve(created.id());
    long completed = expired.requestCounts().orElseThrow().completed();
    assertThat(completed).isBetween(1L, 199L);
    assertThat(expired.expiredAt()).isPresent();
    List<JsonObject> output = sdk.lines(expired.outputFileId().orElseThrow());
    assertThat(output).hasSize((int) completed);
    assertThat(fixture.provider().calls()).hasSize((int) completed);
    JsonObject nativeView = api.batch(OpenAiSdkTest.nativeId(created.id()));
    assertThat(nativeView.getString("status")).isEqualTo("expired");
    assertThat(nativeView.getJsonObject("counts").getInteger("cancelled"))
        .isEqualTo(200 - (int) completed);
  }

  @Test
  @DisplayName(
      "A paused batch whose window passes while Sluice is down is expired by the recovered runner,"
          + " keeping what it had finished")
  void expiresAcrossRestart() {
    fixture.start();
    sdk = new OpenAiSdk(fixture.port());
    Batch created = sdk.createBatch(OpenAiSdk.jsonl(100, Set.of()), "6s");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sdk.retrieve(created.id()).requestCounts().orElseThrow().completed() >= 2);
    assertThat(sdk.control(created.id(), "pause").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              var n = sdk.retrieve(created.id()).requestCounts().orElseThrow();
              return n.completed() == fixture.provider().calls().size();
            });
    long finished = sdk.retrieve(created.id()).requestCounts().orElseThrow().completed();
    Instant deadline = Instant.ofEpochSecond(created.expiresAt().orElseThrow());
    sdk.close();
    sdk = null;
    fixture.stop();

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> Instant.now().isAfter(deadline.plusSeconds(1)));
    Api api = fixture.restart();
    sdk = new OpenAiSdk(fixture.port());

    await().atMost(Duration.ofSeconds(20)).until(() -> sdk.status(created.id()).equals("expired"));
    Batch expired = sdk.retrieve(created.id());
    assertThat(expired.requestCounts().orElseThrow().completed()).isEqualTo(finished);
    assertThat(sdk.lines(expired.outputFileId().orElseThrow())).hasSize((int) finished);
    JsonArray events =
        api.get("/api/generation/batch/" + OpenAiSdkTest.nativeId(created.id()) + "/events")
            .json()
            .getJsonArray("data");
    JsonObject last = events.getJsonObject(events.size() - 1);
    assertThat(last.getString("from")).isEqualTo("paused");
    assertThat(last.getString("to")).isEqualTo("expired");
    assertThat(last.getString("reason")).isEqualTo("deadline_passed");
  }
}
