package dev.sluice.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.ProviderSluice;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Output schemas through the API, against a real loopback provider and PostgreSQL: bounds and
 * endless references are refused with a 422 and store nothing, legal recursion works, compiling
 * never stalls the server, and a stored schema that cannot be used fails its items, not the runner.
 */
class OutputSchemaApiTest {

  private static final String TREE =
      "{\"type\":\"object\",\"required\":[\"question\"],\"properties\":{\"question\":"
          + "{\"type\":\"string\"},\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}}}";

  @RegisterExtension
  final ProviderSluice fixture = ProviderSluice.withSettings("SLUICE_OPENAI_TIMEOUT_MS", "2000");

  private TestDatabase db;
  private Api api;

  private void start(String... overrides) {
    api = fixture.start(overrides);
    db = fixture.db();
  }

  private void restart() {
    api = fixture.restart();
  }

  private static JsonObject body(Object schema, String... prompts) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < prompts.length; i++) {
      items.add(new JsonObject().put("id", "i" + i).put("prompt", prompts[i]));
    }
    return new JsonObject()
        .put("name", "schema")
        .put("maxAttempts", 2)
        .put("outputSchema", schema)
        .put("items", items);
  }

  private JsonObject refused(JsonObject body) {
    Api.Reply reply = api.post("/api/generation/batch", body.encode());
    assertThat(reply.status()).as(reply.body()).isEqualTo(422);
    assertThat(reply.contentType()).startsWith("application/problem+json");
    assertThat(reply.json().getString("field")).isEqualTo("outputSchema");
    return reply.json();
  }

  @Test
  @DisplayName(
      "A schema that refers to itself without end is refused with a 422 naming outputSchema, and nothing is stored")
  void endless() {
    start();
    JsonObject problem = refused(body(new JsonObject("{\"allOf\":[{\"$ref\":\"#\"}]}"), "a"));
    assertThat(problem.getString("detail")).contains("refers to itself without end");
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM items")).isZero();
  }

  @Test
  @DisplayName("A schema over the size or depth bound is refused with a 422 saying the bound")
  void bounds() {
    start("SLUICE_MAX_SCHEMA_DEPTH", "16");
    JsonObject large = new JsonObject().put("description", "x".repeat(70_000));
    assertThat(refused(body(large, "a")).getString("detail")).contains("65536 bytes");

    JsonObject deep = new JsonObject();
    for (int i = 0; i < 10; i++) {
      deep = new JsonObject().put("not", new JsonObject().put("allOf", new JsonArray().add(deep)));
    }
    assertThat(refused(body(deep, "a")).getString("detail")).contains("deeper than 16 levels");
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isZero();
  }

  @Test
  @DisplayName(
      "A recursive schema that descends into the output (a tree of children) is accepted and checks outputs")
  void tree() {
    start();
    String id =
        api.createBatch(body(new JsonObject(TREE), "[json] cells", "[json] [badjson x1] tissues"));
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));
    List<JsonObject> items = api.items(id);
    assertThat(items).allMatch(i -> i.getString("status").equals("succeeded"));
    assertThat(items)
        .filteredOn(i -> i.getString("id").equals("i1"))
        .singleElement()
        .satisfies(i -> assertThat(i.getInteger("attempts")).isEqualTo(2));
  }

  @Test
  @DisplayName(
      "/health/live answers within a second while a large schema, within the bounds, is compiled")
  void liveWhileCompiling() throws Exception {
    start("SLUICE_MAX_SCHEMA_BYTES", "16777216", "SLUICE_MAX_BODY_BYTES", "33554432");
    JsonObject properties = new JsonObject();
    for (int i = 0; i < 12_000; i++) {
      properties.put("p" + i, new JsonObject().put("type", "string").put("minLength", 1));
    }
    JsonObject schema = new JsonObject().put("type", "object").put("properties", properties);
    HttpClient client = HttpClient.newHttpClient();
    assertThat(api.get("/health/live").status()).isEqualTo(200);
    CompletableFuture<HttpResponse<String>> create =
        client.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + fixture.port() + "/api/generation/batch"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(schema, "a").encode()))
                .timeout(Duration.ofMinutes(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    List<Long> whileCompiling = new ArrayList<>();
    while (!create.isDone()) {
      long started = System.nanoTime();
      assertThat(api.get("/health/live").status()).isEqualTo(200);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (!create.isDone()) {
        whileCompiling.add(millis);
      }
    }
    assertThat(create.get().statusCode()).as(create.get().body()).isEqualTo(201);
    assertThat(whileCompiling)
        .as("liveness probes answered during the compile")
        .hasSizeGreaterThan(2);
    assertThat(whileCompiling).allMatch(ms -> ms < 1000);
  }

  @Test
  @DisplayName(
      "A stored schema that cannot be used fails its items with output_schema_error; the runner carries on")
  void unusableStoredSchema() {
    start();
    String id = api.createBatch(body(new JsonObject(TREE), "[hang x1] a", "[hang x1] b"));
    await().atMost(Duration.ofSeconds(20)).until(() -> api.control(id, "pause").status() == 200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> api.counts(id).getInteger("inProgress") == 0);
    fixture.halt();
    db.execute(
        "UPDATE batches SET config = jsonb_set(config, '{outputSchema}',"
            + " '{\"allOf\":[{\"$ref\":\"#\"}]}')");
    db.execute("UPDATE items SET input = '{\"prompt\": \"[json] fixed\"}'");
    restart();
    assertThat(api.control(id, "resume").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));
    assertThat(api.items(id))
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.getString("status")).isEqualTo("failed");
              assertThat(i.getJsonObject("error").getString("code"))
                  .isEqualTo("output_schema_error");
              assertThat(i.getJsonObject("error").getString("message"))
                  .contains("refers to itself without end");
            });
  }
}
