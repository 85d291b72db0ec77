package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Creating, reading, listing and paging batches, items and history. */
class BatchQueryApiTest {

  private static final String BASE = "/api/generation/batch";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_SIMULATED_LATENCY_MS", "2", "SLUICE_SIMULATED_FAILURE_RATE", "0.3");

  private final Api api = fixture.api();
  private final TestDatabase db = fixture.db();

  @Test
  @DisplayName(
      "Create answers 201 with Location and the batch; the batch runs to completion with every item in one final state")
  void createRunsToCompletion() {
    JsonObject body =
        new JsonObject()
            .put("name", "Cell biology, unit 3")
            .put("model", "simulated-large")
            .put("system", "You write exam questions.")
            .put("template", "Write a question about {{topic}} for {{level}} students.")
            .put("params", new JsonObject().put("temperature", 0.4).put("max_tokens", 300))
            .put("concurrency", 5)
            .put("maxAttempts", 2)
            .put("items", topics(30));

    Api.Reply created = api.post(BASE, body.encode());

    assertThat(created.status()).isEqualTo(201);
    JsonObject batch = created.json();
    String id = batch.getString("id");
    assertThat(created.raw().headers().firstValue("Location")).contains(BASE + "/" + id);
    assertThat(batch.getString("status")).isEqualTo("running");
    assertThat(batch.getString("model")).isEqualTo("simulated-large");
    assertThat(batch.getInteger("concurrency")).isEqualTo(5);
    assertThat(batch.getJsonObject("counts").getInteger("total")).isEqualTo(30);
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));
    JsonObject counts = api.counts(id);
    assertThat(counts.getInteger("succeeded") + counts.getInteger("failed")).isEqualTo(30);
    assertThat(
            counts.getInteger("pending")
                + counts.getInteger("inProgress")
                + counts.getInteger("cancelled"))
        .isZero();
    List<JsonObject> items = api.items(id);
    assertThat(items)
        .hasSize(30)
        .allSatisfy(i -> assertThat(i.getString("status")).isIn("succeeded", "failed"));
    assertThat(items)
        .filteredOn(i -> i.getString("status").equals("succeeded"))
        .allSatisfy(
            i -> assertThat(i.getString("output")).contains("Write a question about topic"));
    assertThat(items)
        .filteredOn(i -> i.getString("status").equals("failed"))
        .allSatisfy(i -> assertThat(i.getJsonObject("error").getString("message")).isNotBlank());
    assertThat(items).allSatisfy(i -> assertThat(i.getInteger("attempts")).isBetween(1, 2));
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM items WHERE batch_id = '"
                    + id
                    + "' AND status = 'succeeded'"))
        .isEqualTo(counts.getLong("succeeded"));
  }

  @Test
  @DisplayName(
      "The list shows the caller's batches newest first, filters by status and pages with a cursor")
  void listFiltersAndPages() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(api.createBatch("list-" + i, 1, 1));
    }
    String paused = api.createBatch(Api.batchBody("list-paused", 50, 1).put("concurrency", 1));
    api.control(paused, "pause");

    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page =
          api.get(BASE + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      assertThat(page.getJsonArray("data").size()).isLessThanOrEqualTo(2);
      page.getJsonArray("data").forEach(b -> seen.add(((JsonObject) b).getString("id")));
      cursor = page.getString("nextCursor");
    } while (cursor != null);

    assertThat(seen).doesNotHaveDuplicates();
    List<String> mine = seen.stream().filter(s -> ids.contains(s) || s.equals(paused)).toList();
    List<String> expected = new ArrayList<>(ids);
    expected.add(paused);
    java.util.Collections.reverse(expected);
    assertThat(mine).containsExactlyElementsOf(expected);
    JsonArray onlyPaused = api.get(BASE + "?status=paused").json().getJsonArray("data");
    assertThat(onlyPaused)
        .extracting(b -> ((JsonObject) b).getString("status"))
        .containsOnly("paused");
    assertThat(onlyPaused).extracting(b -> ((JsonObject) b).getString("id")).contains(paused);
    api.control(paused, "cancel");
  }

  @Test
  @DisplayName(
      "Items page in sequence order and filter by status; the history lists every transition with actor and reason")
  void itemsAndEvents() {
    String id = api.createBatch("items", 12, 4);
    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("completed"));
    JsonObject first = api.get(BASE + "/" + id + "/items?limit=5").json();
    assertThat(first.getJsonArray("data"))
        .extracting(i -> ((JsonObject) i).getInteger("seq"))
        .containsExactly(1, 2, 3, 4, 5);
    JsonObject second =
        api.get(BASE + "/" + id + "/items?limit=5&cursor=" + first.getString("nextCursor")).json();
    assertThat(second.getJsonArray("data"))
        .extracting(i -> ((JsonObject) i).getInteger("seq"))
        .containsExactly(6, 7, 8, 9, 10);
    int failed = api.counts(id).getInteger("failed");
    JsonArray onlyFailed =
        api.get(BASE + "/" + id + "/items?status=failed").json().getJsonArray("data");
    assertThat(onlyFailed).hasSize(failed);

    String other = api.createBatch(Api.batchBody("history", 40, 1));
    api.post(
        BASE + "/" + other + "/pause",
        new JsonObject().put("reason", "checking the first questions").encode());
    api.control(other, "resume");
    api.control(other, "cancel");
    JsonArray events = api.get(BASE + "/" + other + "/events").json().getJsonArray("data");
    assertThat(events)
        .extracting(
            e -> ((JsonObject) e).getString("from") + ">" + ((JsonObject) e).getString("to"))
        .containsExactly(
            "created>running", "running>paused", "paused>running", "running>cancelled");
    JsonObject pause = events.getJsonObject(1);
    assertThat(pause.getString("actor")).isEqualTo("local");
    assertThat(pause.getString("reason")).isEqualTo("checking the first questions");
    assertThat(pause.getString("at")).isNotBlank();
  }

  @Test
  @DisplayName(
      "An Idempotency-Key replay returns the first batch; the same key with another body is a 409")
  void idempotencyKey() {
    String body = Api.batchBody("idem", 3, 1).encode();
    Api.Reply first = api.send(request(body, "key-1"));
    Api.Reply again = api.send(request(body, "key-1"));
    Api.Reply other = api.send(request(Api.batchBody("idem-2", 3, 1).encode(), "key-1"));

    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.contentType()).startsWith("application/problem+json");
    assertThat(db.queryLong("SELECT count(*) FROM batches WHERE name LIKE 'idem%'")).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "An OpenAI JSONL batch whose key is reused with other settings in the query is a 409, not a replay")
  void jsonlKeyCoversTheQuery() {
    String line =
        "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
            + "\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n";

    Api.Reply first = api.send(jsonl("?name=jsonl-idem&concurrency=2", line));
    Api.Reply replay = api.send(jsonl("?name=jsonl-idem&concurrency=2", line));
    Api.Reply other = api.send(jsonl("?name=jsonl-idem&concurrency=3", line));

    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(other.status()).as(other.body()).isEqualTo(409);
    assertThat(db.queryLong("SELECT count(*) FROM batches WHERE name = 'jsonl-idem'")).isEqualTo(1);
  }

  private static HttpRequest.Builder jsonl(String query, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.port() + BASE + query))
        .header("Content-Type", "application/x-ndjson")
        .header("Idempotency-Key", "jsonl-key")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpRequest.Builder request(String body, String key) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.port() + BASE))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static JsonArray topics(int n) {
    JsonArray items = new JsonArray();
    for (int i = 1; i <= n; i++) {
      items.add(
          new JsonObject()
              .put("id", "t" + i)
              .put("vars", new JsonObject().put("topic", "topic " + i).put("level", "first-year")));
    }
    return items;
  }
}
