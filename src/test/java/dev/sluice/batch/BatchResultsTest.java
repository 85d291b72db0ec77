package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The results export: OpenAI batch output lines, streamed page by page. */
@DisplayName("GET /batch/:batchId/results exports finished items as JSON Lines.")
class BatchResultsTest {

  private static final String FAIL = "REFUSE";
  private static final String BASE = "/api/generation/batch/";

  private static final GatedGenerator generator = new GatedGenerator().failWhenPromptContains(FAIL);

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings("SLUICE_BATCH_DEFAULT_MAX_ATTEMPTS", "1")
          .generator(v -> generator)
          .beforeClose(generator::releaseAll);

  private final Api api = fixture.api();

  @Test
  @DisplayName(
      "Succeeded items carry a chat-completion response and failed ones an error; pending and cancelled items have no line.")
  void linesHaveTheOpenAiBatchOutputShape() {
    JsonObject body = Api.batchBody("Export", 4, 2);
    body.getJsonArray("items").getJsonObject(1).put("prompt", "Write a question " + FAIL);
    String id = api.createBatch(body);
    await().until(() -> generator.inFlight(id) == 2);
    generator.release(id); // q1 succeeds, q2 fails; q3 and q4 are dispatched
    await().until(() -> api.counts(id).getInteger("failed") == 1 && generator.inFlight(id) == 2);
    assertThat(api.control(id, "cancel").status()).isEqualTo(200);

    Api.Reply reply = api.get(BASE + id + "/results");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/x-ndjson");
    assertThat(reply.raw().headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"sluice-" + id + "-results.jsonl\"");
    List<JsonObject> lines = reply.body().lines().map(JsonObject::new).toList();
    assertThat(lines).extracting(l -> l.getString("custom_id")).containsExactly("q1", "q2");

    JsonObject ok = lines.get(0);
    assertThat(ok.getValue("error")).isNull();
    JsonObject response = ok.getJsonObject("response");
    assertThat(response.getInteger("status_code")).isEqualTo(200);
    assertThat(response.getString("request_id")).isNotBlank();
    JsonObject completion = response.getJsonObject("body");
    assertThat(completion.getString("object")).isEqualTo("chat.completion");
    assertThat(completion.getString("model")).isEqualTo("simulated");
    JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message").getString("content"))
        .isEqualTo("Answer to: Write exam question 1 about cell biology.");
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(completion.getJsonObject("usage"))
        .isEqualTo(
            new JsonObject()
                .put("prompt_tokens", 3)
                .put("completion_tokens", 5)
                .put("total_tokens", 8));

    JsonObject failed = lines.get(1);
    assertThat(failed.getValue("response")).isNull();
    assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("item_error");
    assertThat(failed.getJsonObject("error").getString("message")).contains(FAIL);
    assertThat(ok.getString("id")).isNotEqualTo(failed.getString("id"));
    generator.release(id);
  }

  @Test
  @DisplayName("A batch larger than one page is exported whole, in item order.")
  void exportsEveryPage() {
    int n = 1_234;
    String id = api.createBatch(Api.batchBody("Large export", n, 256));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              generator.release(id);
              return api.status(id).equals("completed");
            });
    List<String> ids =
        api.get(BASE + id + "/results")
            .body()
            .lines()
            .map(l -> new JsonObject(l).getString("custom_id"))
            .toList();
    assertThat(ids).hasSize(n).startsWith("q1", "q2").endsWith("q" + n);
    assertThat(ids).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("An unknown batch is a 404 problem, a malformed id a 400.")
  void refusesLikeTheOtherRoutes() {
    assertThat(api.get(BASE + UUID.randomUUID() + "/results").status()).isEqualTo(404);
    assertThat(api.get(BASE + "nope/results").status()).isEqualTo(400);
  }
}
