package dev.sluice.http;

import static dev.sluice.http.OpenApiDocument.BATCHES;
import static dev.sluice.http.OpenApiDocument.PROBLEMS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Holds Sluice's live answers to {@code src/main/resources/openapi.yaml}: a batch taken through its
 * whole life, a batch of template items, and bad requests all get the statuses, headers and bodies
 * the document describes.
 */
@DisplayName("Sluice's answers are the ones the OpenAPI document describes.")
class OpenApiConformanceTest {

  @RegisterExtension static final OpenApiDocument openApi = new OpenApiDocument();

  @Test
  @DisplayName(
      "A batch taken through create, read, list, items, history and every control gets answers that match the document.")
  void batchLifeCycleMatchesTheDocument() {
    String id = createdReplayedAndReused();
    openApi.assertConforms("getBatch", ok(api().get(BATCHES + "/" + id)));
    openApi.assertConforms("listBatches", ok(api().get(BATCHES)));
    openApi.assertConforms("listBatches", ok(api().get(BATCHES + "?status=running&limit=1")));
    pausedTwiceAndResumed(id);
    completes(id);
    itemsMatch(id);
    historyAndResultsMatch(id);
    controlsAfterTheEndMatch(id);
  }

  @Test
  @DisplayName("A batch of template items is created and listed as the document describes.")
  void templateBatchMatchesTheDocument() {
    JsonObject body =
        new JsonObject()
            .put("name", "Template check")
            .put("system", "You write exam questions.")
            .put("template", "Write a question about {{topic}}.")
            .put(
                "items",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("id", "t1")
                            .put("vars", new JsonObject().put("topic", "mitosis")))
                    .add(
                        new JsonObject()
                            .put("id", "t2")
                            .put("vars", new JsonObject().put("topic", "osmosis"))));
    Api.Reply created = create(body.encode(), null);
    assertThat(created.status()).isEqualTo(201);
    openApi.assertConforms("createBatch", created);
    String id = created.json().getString("id");
    Api.Reply items = ok(api().get(BATCHES + "/" + id + "/items"));
    assertThat(
            items
                .json()
                .getJsonArray("data")
                .getJsonObject(0)
                .getJsonObject("input")
                .getJsonObject("vars"))
        .isEqualTo(new JsonObject().put("topic", "mitosis"));
    openApi.assertConforms("listItems", items);
  }

  @Test
  @DisplayName("Bad requests are refused with the documented problems and statuses.")
  void badRequestsGetDocumentedProblems() {
    malformedCreatesAreRefused();
    oversizedCreatesAreRefused();
    badReadsAndControlsAreRefused();
  }

  // ------------------------------------------------------------------ steps of the life cycle

  /** Creates a batch of three items, one of them failing; replays and reuses its key; its id. */
  private static String createdReplayedAndReused() {
    String key = "contract-" + UUID.randomUUID();
    JsonObject body =
        new JsonObject()
            .put("name", "Contract check")
            .put("params", new JsonObject().put("temperature", 0.2).put("max_tokens", 50))
            .put("concurrency", 8)
            .put("maxAttempts", 1)
            .put(
                "items",
                new JsonArray()
                    .add(new JsonObject().put("id", "q1").put("prompt", "Write question 1."))
                    .add(new JsonObject().put("id", "q2").put("prompt", "Write question 2 FAIL."))
                    .add(new JsonObject().put("id", "q3").put("prompt", "Write question 3.")));

    Api.Reply created = create(body.encode(), key);
    assertThat(created.status()).isEqualTo(201);
    openApi.assertConforms("createBatch", created);
    String id = created.json().getString("id");
    assertThat(created.raw().headers().firstValue("Location")).hasValue(BATCHES + "/" + id);

    Api.Reply replayed = create(body.encode(), key);
    assertThat(replayed.status()).isEqualTo(200);
    assertThat(replayed.json().getString("id")).isEqualTo(id);
    openApi.assertConforms("createBatch", replayed);

    Api.Reply reused = create(body.copy().put("name", "Another").encode(), key);
    assertThat(reused.status()).isEqualTo(409);
    assertThat(reused.json().getString("type")).isEqualTo(PROBLEMS + "idempotency-key-reused");
    assertThat(reused.json().getString("batchId")).isEqualTo(id);
    openApi.assertConforms("createBatch", reused);
    return id;
  }

  private static void pausedTwiceAndResumed(String id) {
    Api.Reply paused = api().post(BATCHES + "/" + id + "/pause", "{\"reason\":\"contract check\"}");
    assertThat(ok(paused).json().getString("status")).isEqualTo("paused");
    assertThat(paused.json().getString("statusReason")).isEqualTo("contract check");
    openApi.assertConforms("pauseBatch", paused);

    Api.Reply again = api().control(id, "pause");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("type")).isEqualTo(PROBLEMS + "illegal-transition");
    assertThat(again.json().getString("batchStatus")).isEqualTo("paused");
    assertThat(again.json().getString("command")).isEqualTo("pause");
    openApi.assertConforms("pauseBatch", again);

    openApi.assertConforms("resumeBatch", ok(api().control(id, "resume")));
  }

  private static void completes(String id) {
    // Release the generator's calls (of any batch) until this batch has settled every item.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              openApi.generator().releaseAll();
              return api().status(id).equals("completed");
            });
    Api.Reply completed = ok(api().get(BATCHES + "/" + id));
    assertThat(completed.json().getJsonObject("controls").getBoolean("retryFailed")).isTrue();
    openApi.assertConforms("getBatch", completed);
  }

  private static void itemsMatch(String id) {
    Api.Reply items = ok(api().get(BATCHES + "/" + id + "/items"));
    assertThat(items.json().getJsonArray("data")).hasSize(3);
    openApi.assertConforms("listItems", items);
    Api.Reply firstPage = ok(api().get(BATCHES + "/" + id + "/items?limit=1"));
    String cursor = firstPage.json().getString("nextCursor");
    assertThat(cursor).isNotNull();
    openApi.assertConforms("listItems", firstPage);
    openApi.assertConforms(
        "listItems", ok(api().get(BATCHES + "/" + id + "/items?limit=1&cursor=" + cursor)));
    Api.Reply failed = ok(api().get(BATCHES + "/" + id + "/items?status=failed"));
    assertThat(failed.json().getJsonArray("data")).hasSize(1);
    openApi.assertConforms("listItems", failed);
  }

  private static void historyAndResultsMatch(String id) {
    Api.Reply events = ok(api().get(BATCHES + "/" + id + "/events"));
    assertThat(
            events.json().getJsonArray("data").stream().map(e -> ((JsonObject) e).getString("to")))
        .containsExactly("running", "paused", "running", "completed");
    openApi.assertConforms("listEvents", events);

    Api.Reply results = ok(api().get(BATCHES + "/" + id + "/results"));
    assertThat(results.contentType()).isEqualTo("application/x-ndjson");
    assertThat(results.raw().headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("attachment;"));
    assertThat(results.body().lines()).hasSize(3);
    openApi.assertConforms("downloadResults", results);
    openApi.assertStreamIsDocumented("streamBatch", BATCHES + "/" + id + "/stream");
  }

  private static void controlsAfterTheEndMatch(String id) {
    openApi.assertConforms("retryFailedItems", ok(api().control(id, "retry-failed")));
    Api.Reply cancelled =
        ok(api().post(BATCHES + "/" + id + "/cancel", "{\"reason\":\"done checking\"}"));
    assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
    openApi.assertConforms("cancelBatch", cancelled);

    Api.Reply noRetry = api().control(id, "retry-failed");
    assertThat(noRetry.status()).isEqualTo(409);
    openApi.assertConforms("retryFailedItems", noRetry);
    Api.Reply noResume = api().control(id, "resume");
    assertThat(noResume.status()).isEqualTo(409);
    openApi.assertConforms("resumeBatch", noResume);
  }

  // ------------------------------------------------------------------ kinds of bad request

  private static void malformedCreatesAreRefused() {
    refused("createBatch", create("name: x", "text/plain", null), 415, "unsupported-media-type");
    refused("createBatch", create("", "application/json", null), 400, "bad-request");
    refused("createBatch", create("{not json", "application/json", null), 400, "bad-request");
    refused("createBatch", create("{}", " ".repeat(3)), 400, "bad-request");
    refused("createBatch", create("{}", "k".repeat(201)), 400, "bad-request");
    Api.Reply missingName =
        refused("createBatch", create("{\"items\":[]}", null), 422, "invalid-request");
    assertThat(missingName.json().getString("field")).isEqualTo("name");
    assertThat(missingName.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("name");
    Api.Reply both =
        refused(
            "createBatch",
            create(
                "{\"name\":\"x\",\"items\":[{\"id\":\"a\",\"prompt\":\"p\",\"vars\":{}}]}", null),
            422,
            "invalid-request");
    assertThat(both.json().getString("field")).isEqualTo("items[0]");
  }

  private static void oversizedCreatesAreRefused() {
    JsonArray many = new JsonArray();
    for (int i = 0; i < 101; i++) {
      many.add(new JsonObject().put("id", "i" + i).put("prompt", "p"));
    }
    assertThat(refusedAsTooLarge(many).json().getString("field")).isEqualTo("items");
    JsonArray longPrompt =
        new JsonArray().add(new JsonObject().put("id", "a").put("prompt", "p".repeat(2001)));
    assertThat(refusedAsTooLarge(longPrompt).json().getString("field"))
        .isEqualTo("items[0].prompt");
    JsonArray huge =
        new JsonArray().add(new JsonObject().put("id", "a").put("prompt", "p".repeat(70_000)));
    refusedAsTooLarge(huge);
  }

  /** Creates a batch of these items, which must be refused as too large. */
  private static Api.Reply refusedAsTooLarge(JsonArray items) {
    return refused(
        "createBatch",
        create(new JsonObject().put("name", "x").put("items", items).encode(), null),
        413,
        "too-large");
  }

  private static void badReadsAndControlsAreRefused() {
    String unknown = BATCHES + "/" + UUID.randomUUID();
    for (String query :
        List.of("limit=0", "limit=501", "limit=ten", "status=sleeping", "cursor=not-a-cursor")) {
      refused("listBatches", api().get(BATCHES + "?" + query), 400, "bad-request");
    }
    refused("getBatch", api().get(BATCHES + "/not-a-uuid"), 400, "bad-request");
    refused("getBatch", api().get(unknown), 404, "not-found");
    refused("listItems", api().get(unknown + "/items?cursor=x"), 400, "bad-request");
    refused("listItems", api().get(unknown + "/items?status=done"), 400, "bad-request");
    refused("listItems", api().get(unknown + "/items"), 404, "not-found");
    refused("listEvents", api().get(BATCHES + "/123/events"), 400, "bad-request");
    refused("pauseBatch", api().post(unknown + "/pause", "{\"reason\":5}"), 422, "invalid-request");
    refused(
        "cancelBatch",
        api().post(unknown + "/cancel", "{\"reason\":\"" + "r".repeat(501) + "\"}"),
        422,
        "invalid-request");
    refused("resumeBatch", api().post(unknown + "/resume", "{oops"), 400, "bad-request");
    Api.Reply missing =
        refused(
            "retryFailedItems",
            api().post(unknown + "/retry-failed", "{\"reason\":\"why\"}"),
            404,
            "not-found");
    assertThat(missing.json().getString("batchId"))
        .isEqualTo(unknown.substring(BATCHES.length() + 1));
  }

  // ---------------------------------------------------------------------------------------------

  private static Api api() {
    return openApi.api();
  }

  private static Api.Reply refused(String operationId, Api.Reply reply, int status, String type) {
    assertThat(reply.status()).as("%s answered %s", operationId, reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).isEqualTo(Problems.CONTENT_TYPE);
    JsonObject problem = reply.json();
    assertThat(problem.getString("type")).isEqualTo(PROBLEMS + type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    openApi.assertConforms(operationId, reply);
    return reply;
  }

  private static Api.Reply ok(Api.Reply reply) {
    assertThat(reply.status()).as("answer %s", reply.body()).isEqualTo(200);
    return reply;
  }

  private static Api.Reply create(String body, @Nullable String idempotencyKey) {
    return create(body, "application/json", idempotencyKey);
  }

  private static Api.Reply create(
      String body, String contentType, @Nullable String idempotencyKey) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api().base() + BATCHES))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", contentType);
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return api().send(request);
  }
}
