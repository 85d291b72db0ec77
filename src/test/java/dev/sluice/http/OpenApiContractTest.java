package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.Sluice;
import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.openapi.contract.ContractErrorType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIContractException;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps {@code src/main/resources/openapi.yaml} true to the code, in both directions: the document
 * is a valid OpenAPI 3.1 contract; every operation it describes is served, and answers with a
 * documented status, headers and body shape; every route the router mounts is described; and {@code
 * GET /openapi.yaml} serves this very file.
 *
 * <p>vertx-openapi 5.0.x models only a fixed list of media types (JSON, HAL, multipart, octet
 * stream, plain text, {@code vnd.*+json}); it refuses to build a contract that names {@code
 * application/problem+json}, {@code application/yaml}, {@code text/event-stream}, {@code
 * application/x-ndjson} or the Prometheus text format ({@code text/plain; version=0.0.4}), which
 * Sluice really sends. The document keeps the true media types; the test builds its contract model
 * from a copy in which those are renamed to stand-ins it can model ({@link #STAND_INS}), and maps
 * the content types of real answers the same way before validating them. The copy also closes every
 * object schema that leaves {@code additionalProperties} open, so an answer with a member the
 * document does not name fails the check; nothing else is changed.
 */
@DisplayName("The OpenAPI document describes exactly the HTTP routes Sluice serves.")
class OpenApiContractTest {

  private static final Path DOCUMENT = Path.of("src/main/resources/openapi.yaml");

  /** Media types vertx-openapi 5.0.x cannot model, and the stand-ins the adapted copy uses. */
  private static final Map<String, String> STAND_INS =
      Map.of(
          "application/problem+json", "application/json",
          "application/yaml", "text/plain",
          "text/event-stream", "text/plain",
          "application/x-ndjson", "application/octet-stream",
          "text/plain; version=0.0.4; charset=utf-8", "text/plain");

  private static final String PROBLEMS = "https://sluice.dev/problems/";
  private static final String BATCHES = "/api/generation/batch";

  /**
   * The routes the router mounts that are not API operations, and why none belongs in the document.
   * Any other route without a method, or a new one here, fails the routes test.
   */
  /**
   * The routes that are not API operations, in the order the router holds them (open loopback
   * mode), each with what it does.
   */
  private static final List<Map.Entry<String, String>> NOT_OPERATIONS =
      List.of(
          Map.entry("ANY /*", "adds the security headers to every answer"),
          Map.entry("ANY /*", "refuses a Host that is not a loopback name"),
          Map.entry("ANY /api/*", "names the caller (the local owner without authentication)"),
          Map.entry("ANY /api/*", "refuses a POST another web page could have sent"),
          Map.entry("ANY /v1/*", "names the caller"),
          Map.entry("ANY /v1/*", "refuses a POST another web page could have sent"),
          Map.entry("ANY /api/*", "times the arrival of /api request bodies"),
          Map.entry(
              "ANY /api/*",
              "reads request bodies for the API routes but the create, which reads its own"),
          Map.entry("ANY /v1/*", "times the arrival of /v1 request bodies"),
          Map.entry("ANY /v1/batches*", "reads /v1/batches bodies, up to the size limit"),
          Map.entry("ANY /api/keys", "lets only admins manage keys"),
          Map.entry("ANY /api/keys/*", "lets only admins revoke keys"),
          Map.entry("ANY /api/*", "answers any other /api path with the not-found problem"),
          Map.entry("ANY /v1/*", "answers any other /v1 path with OpenAI's not-found error"),
          Map.entry("ANY /*", "serves the static web UI from the webroot folder"),
          Map.entry("ANY /v1/*", "turns /v1 failures into OpenAI's error shape"),
          Map.entry("failure handler", "turns failures into problems"));

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static ResponseValidator validator;
  private static TestDatabase db;
  private static GatedGenerator generator;
  private static Sluice sluice;
  private static Api api;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    contract = block(OpenAPIContract.from(vertx, adapted(documentJson())));
    validator = ResponseValidator.create(vertx, contract);
    db = TestDatabase.create(OpenApiContractTest.class);
    generator = new GatedGenerator().failWhenPromptContains("FAIL");
    sluice =
        Sluice.start(
            TestConfig.of(
                db,
                "SLUICE_MAX_ITEMS",
                "100",
                "SLUICE_MAX_PROMPT_CHARS",
                "2000",
                "SLUICE_MAX_BODY_BYTES",
                "65536"),
            v -> generator);
    api = new Api(sluice.port());
  }

  @AfterAll
  static void stop() {
    if (sluice != null) {
      generator.releaseAll();
      sluice.close();
    }
    if (db != null) {
      db.close();
    }
    if (vertx != null) {
      block(vertx.close());
    }
  }

  @Test
  @DisplayName(
      "The document is a valid OpenAPI 3.1 contract, which vertx-openapi refuses only for the media types it cannot model.")
  void isAValidOpenApi31Document() {
    Throwable failure = failureOf(OpenAPIContract.from(vertx, DOCUMENT.toString()));
    if (failure != null) {
      // vertx-openapi validates against the OpenAPI 3.1 schema before it builds the model, so a
      // refusal of a media type means the document already passed that validation.
      assertThat(failure).isInstanceOf(OpenAPIContractException.class);
      assertThat(((OpenAPIContractException) failure).type())
          .as("why vertx-openapi refused the document: %s", failure.getMessage())
          .isEqualTo(ContractErrorType.UNSUPPORTED_FEATURE);
      assertThat(failure.getMessage()).contains("unsupported media type");
    }
    assertThat(contract.getVersion()).isEqualTo(OpenAPIVersion.V3_1);
    assertThat(contract.getRawContract().getString("openapi")).isEqualTo("3.1.0");
    assertThat(contract.operations())
        .allSatisfy(op -> assertThat(op.getOperationId()).isNotBlank());
  }

  @Test
  @DisplayName("A broken copy of the document is refused, so the validity check has teeth.")
  void brokenCopiesAreRefused() {
    JsonObject noInfo = adapted(documentJson());
    noInfo.remove("info");
    assertThat(failureOf(OpenAPIContract.from(vertx, noInfo)))
        .isInstanceOfSatisfying(
            OpenAPIContractException.class,
            e -> assertThat(e.type()).isEqualTo(ContractErrorType.INVALID_SPEC));

    JsonObject badResponseCode = adapted(documentJson());
    JsonObject get =
        badResponseCode
            .getJsonObject("paths")
            .getJsonObject(BATCHES + "/{batchId}")
            .getJsonObject("get");
    get.getJsonObject("responses")
        .put("2000", new JsonObject().put("description", "not a status code"));
    assertThat(failureOf(OpenAPIContract.from(vertx, badResponseCode)))
        .isInstanceOf(OpenAPIContractException.class);
  }

  @Test
  @DisplayName(
      "Every documented operation is served: none gets the router's 404 or 405, and each answers with a documented status, headers and body.")
  void everyDocumentedOperationIsServed() {
    assertThat(contract.operations()).isNotEmpty();
    for (Operation op : contract.operations()) {
      String hex = UUID.randomUUID().toString().replace("-", "");
      String path =
          op.getOpenAPIPath()
              .replace("{batchId}", UUID.randomUUID().toString())
              .replace("{batch_id}", "batch_" + hex)
              .replace("{file_id}", "file-" + hex)
              .replace("{keyId}", "key_0");
      String body = op.getOperationId().equals("createBatch") ? "{}" : "";
      Api.Reply reply = call(op.getHttpMethod(), path, body);
      String what =
          op.getHttpMethod() + " " + path + " answered " + reply.status() + " " + reply.body();
      assertThat(reply.status()).as(what).isNotEqualTo(405);
      if (reply.status() == 404 && path.startsWith("/v1/")) {
        JsonObject error = reply.json().getJsonObject("error");
        assertThat(error.getString("code")).as(what).isEqualTo("not_found");
        assertThat(error.getString("message")).as(what).doesNotContain("API route");
      } else if (reply.status() == 404) {
        JsonObject problem = reply.json();
        assertThat(problem.getString("type")).as(what).isEqualTo(PROBLEMS + "not-found");
        assertThat(problem.getString("detail"))
            .as(what)
            .startsWith("There is no batch ")
            .doesNotContain("API route");
      }
      assertConforms(op.getOperationId(), reply);
    }
  }

  @Test
  @DisplayName(
      "Every route the router mounts with a method is documented, and the rest are only the known non-API routes.")
  void everyMountedRouteIsDocumented() {
    Set<String> documented =
        contract.operations().stream()
            .map(op -> op.getHttpMethod() + " " + op.getOpenAPIPath())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> mounted = new TreeSet<>();
    List<String> others = new ArrayList<>();
    for (Route route : sluice.routes()) {
      Set<HttpMethod> methods = route.methods();
      String path = route.getPath();
      // Vert.x keeps the declared path (with :batchId) and compiles it to a regex internally; a
      // route declared by regex alone has no path and so must be listed below to pass.
      if (methods != null && !methods.isEmpty() && path != null && route.isExactPath()) {
        String openApiPath = path.replaceAll(":(\\w+)", "{$1}");
        methods.forEach(m -> mounted.add(m + " " + openApiPath));
      } else {
        others.add(describe(route));
      }
    }
    assertThat(mounted).as("routes mounted with a method and an exact path").isEqualTo(documented);
    assertThat(others)
        .as("routes that are not API operations")
        .containsExactlyElementsOf(NOT_OPERATIONS.stream().map(Map.Entry::getKey).toList());
  }

  @Test
  @DisplayName("GET /openapi.yaml serves this very document as application/yaml.")
  void servesThisDocument() throws IOException {
    Api.Reply reply = api.get("/openapi.yaml");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/yaml");
    assertThat(reply.body()).isEqualTo(Files.readString(DOCUMENT, StandardCharsets.UTF_8));
    assertConforms("openApiDocument", reply);
  }

  @Test
  @DisplayName(
      "A path under /api that no operation describes answers the not-found problem the document announces; a documented path with another method answers 405 with Allow.")
  void undocumentedApiPathsAreNotFound() {
    Api.Reply nothing = api.get("/api/generation/nothing-here");
    assertThat(nothing.status()).as(nothing.body()).isEqualTo(404);
    assertThat(nothing.contentType()).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(nothing.json().getString("type")).isEqualTo(PROBLEMS + "not-found");
    assertThat(nothing.json().getString("detail")).startsWith("There is no API route ");

    String batch = BATCHES + "/" + UUID.randomUUID();
    Map<Api.Reply, String> wrongMethods =
        Map.of(
            api.get(batch + "/pause"), "POST",
            call(HttpMethod.DELETE, batch, ""), "GET",
            call(HttpMethod.PUT, BATCHES, "{}"), "GET, POST");
    wrongMethods.forEach(
        (reply, allow) -> {
          assertThat(reply.status()).as(reply.body()).isEqualTo(405);
          assertThat(reply.contentType()).isEqualTo(Problems.CONTENT_TYPE);
          assertThat(reply.json().getString("type")).isEqualTo(PROBLEMS + "method-not-allowed");
          assertThat(reply.raw().headers().firstValue("Allow")).hasValue(allow);
        });
  }

  @Test
  @DisplayName(
      "A batch taken through create, read, list, items, history and every control gets answers that match the document.")
  void batchLifeCycleMatchesTheDocument() {
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
    assertConforms("createBatch", created);
    String id = created.json().getString("id");
    assertThat(created.raw().headers().firstValue("Location")).hasValue(BATCHES + "/" + id);

    Api.Reply replayed = create(body.encode(), key);
    assertThat(replayed.status()).isEqualTo(200);
    assertThat(replayed.json().getString("id")).isEqualTo(id);
    assertConforms("createBatch", replayed);

    Api.Reply reused = create(body.copy().put("name", "Another").encode(), key);
    assertThat(reused.status()).isEqualTo(409);
    assertThat(reused.json().getString("type")).isEqualTo(PROBLEMS + "idempotency-key-reused");
    assertThat(reused.json().getString("batchId")).isEqualTo(id);
    assertConforms("createBatch", reused);

    assertConforms("getBatch", ok(api.get(BATCHES + "/" + id)));
    assertConforms("listBatches", ok(api.get(BATCHES)));
    assertConforms("listBatches", ok(api.get(BATCHES + "?status=running&limit=1")));

    Api.Reply paused = api.post(BATCHES + "/" + id + "/pause", "{\"reason\":\"contract check\"}");
    assertThat(ok(paused).json().getString("status")).isEqualTo("paused");
    assertThat(paused.json().getString("statusReason")).isEqualTo("contract check");
    assertConforms("pauseBatch", paused);

    Api.Reply again = api.control(id, "pause");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("type")).isEqualTo(PROBLEMS + "illegal-transition");
    assertThat(again.json().getString("batchStatus")).isEqualTo("paused");
    assertThat(again.json().getString("command")).isEqualTo("pause");
    assertConforms("pauseBatch", again);

    assertConforms("resumeBatch", ok(api.control(id, "resume")));

    // Release the generator's calls (of any batch) until this batch has settled every item.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              generator.releaseAll();
              return api.status(id).equals("completed");
            });
    Api.Reply completed = ok(api.get(BATCHES + "/" + id));
    assertThat(completed.json().getJsonObject("controls").getBoolean("retryFailed")).isTrue();
    assertConforms("getBatch", completed);

    Api.Reply items = ok(api.get(BATCHES + "/" + id + "/items"));
    assertThat(items.json().getJsonArray("data")).hasSize(3);
    assertConforms("listItems", items);
    Api.Reply firstPage = ok(api.get(BATCHES + "/" + id + "/items?limit=1"));
    String cursor = firstPage.json().getString("nextCursor");
    assertThat(cursor).isNotNull();
    assertConforms("listItems", firstPage);
    assertConforms(
        "listItems", ok(api.get(BATCHES + "/" + id + "/items?limit=1&cursor=" + cursor)));
    Api.Reply failed = ok(api.get(BATCHES + "/" + id + "/items?status=failed"));
    assertThat(failed.json().getJsonArray("data")).hasSize(1);
    assertConforms("listItems", failed);

    Api.Reply events = ok(api.get(BATCHES + "/" + id + "/events"));
    assertThat(
            events.json().getJsonArray("data").stream().map(e -> ((JsonObject) e).getString("to")))
        .containsExactly("running", "paused", "running", "completed");
    assertConforms("listEvents", events);

    Api.Reply results = ok(api.get(BATCHES + "/" + id + "/results"));
    assertThat(results.contentType()).isEqualTo("application/x-ndjson");
    assertThat(results.raw().headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("attachment;"));
    assertThat(results.body().lines()).hasSize(3);
    assertConforms("downloadResults", results);
    assertStreamIsDocumented("streamBatch", BATCHES + "/" + id + "/stream");

    assertConforms("retryFailedItems", ok(api.control(id, "retry-failed")));
    Api.Reply cancelled =
        ok(api.post(BATCHES + "/" + id + "/cancel", "{\"reason\":\"done checking\"}"));
    assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
    assertConforms("cancelBatch", cancelled);

    Api.Reply noRetry = api.control(id, "retry-failed");
    assertThat(noRetry.status()).isEqualTo(409);
    assertConforms("retryFailedItems", noRetry);
    Api.Reply noResume = api.control(id, "resume");
    assertThat(noResume.status()).isEqualTo(409);
    assertConforms("resumeBatch", noResume);
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
    assertConforms("createBatch", created);
    String id = created.json().getString("id");
    Api.Reply items = ok(api.get(BATCHES + "/" + id + "/items"));
    assertThat(
            items
                .json()
                .getJsonArray("data")
                .getJsonObject(0)
                .getJsonObject("input")
                .getJsonObject("vars"))
        .isEqualTo(new JsonObject().put("topic", "mitosis"));
    assertConforms("listItems", items);
  }

  @Test
  @DisplayName("Bad requests are refused with the documented problems and statuses.")
  void badRequestsGetDocumentedProblems() {
    String unknown = BATCHES + "/" + UUID.randomUUID();
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

    JsonArray many = new JsonArray();
    for (int i = 0; i < 101; i++) {
      many.add(new JsonObject().put("id", "i" + i).put("prompt", "p"));
    }
    Api.Reply tooMany =
        refused(
            "createBatch",
            create(new JsonObject().put("name", "x").put("items", many).encode(), null),
            413,
            "too-large");
    assertThat(tooMany.json().getString("field")).isEqualTo("items");
    JsonArray longPrompt =
        new JsonArray().add(new JsonObject().put("id", "a").put("prompt", "p".repeat(2001)));
    Api.Reply tooLong =
        refused(
            "createBatch",
            create(new JsonObject().put("name", "x").put("items", longPrompt).encode(), null),
            413,
            "too-large");
    assertThat(tooLong.json().getString("field")).isEqualTo("items[0].prompt");
    JsonArray huge =
        new JsonArray().add(new JsonObject().put("id", "a").put("prompt", "p".repeat(70_000)));
    refused(
        "createBatch",
        create(new JsonObject().put("name", "x").put("items", huge).encode(), null),
        413,
        "too-large");

    for (String query :
        List.of("limit=0", "limit=501", "limit=ten", "status=sleeping", "cursor=not-a-cursor")) {
      refused("listBatches", api.get(BATCHES + "?" + query), 400, "bad-request");
    }
    refused("getBatch", api.get(BATCHES + "/not-a-uuid"), 400, "bad-request");
    refused("getBatch", api.get(unknown), 404, "not-found");
    refused("listItems", api.get(unknown + "/items?cursor=x"), 400, "bad-request");
    refused("listItems", api.get(unknown + "/items?status=done"), 400, "bad-request");
    refused("listItems", api.get(unknown + "/items"), 404, "not-found");
    refused("listEvents", api.get(BATCHES + "/123/events"), 400, "bad-request");
    refused("pauseBatch", api.post(unknown + "/pause", "{\"reason\":5}"), 422, "invalid-request");
    refused(
        "cancelBatch",
        api.post(unknown + "/cancel", "{\"reason\":\"" + "r".repeat(501) + "\"}"),
        422,
        "invalid-request");
    refused("resumeBatch", api.post(unknown + "/resume", "{oops"), 400, "bad-request");
    Api.Reply missing =
        refused(
            "retryFailedItems",
            api.post(unknown + "/retry-failed", "{\"reason\":\"why\"}"),
            404,
            "not-found");
    assertThat(missing.json().getString("batchId"))
        .isEqualTo(unknown.substring(BATCHES.length() + 1));
  }

  // ---------------------------------------------------------------------------------------------

  private static Api.Reply refused(String operationId, Api.Reply reply, int status, String type) {
    assertThat(reply.status()).as("%s answered %s", operationId, reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).isEqualTo(Problems.CONTENT_TYPE);
    JsonObject problem = reply.json();
    assertThat(problem.getString("type")).isEqualTo(PROBLEMS + type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertConforms(operationId, reply);
    return reply;
  }

  private static Api.Reply ok(Api.Reply reply) {
    assertThat(reply.status()).as("answer %s", reply.body()).isEqualTo(200);
    return reply;
  }

  /**
   * Fails unless the answer's status, headers, content type and body are what the document allows.
   */
  private static void assertConforms(String operationId, Api.Reply reply) {
    Map<String, String> headers = new HashMap<>();
    reply.raw().headers().map().forEach((name, values) -> headers.put(name, values.get(0)));
    String contentType = STAND_INS.getOrDefault(reply.contentType(), reply.contentType());
    if (!contentType.equals("application/json")) {
      // vertx-openapi validates only JSON bodies; for the rest, the status and media type must be
      // documented.
      assertDocumented(operationId, reply.status(), contentType);
      return;
    }
    ValidatableResponse response =
        ValidatableResponse.create(
            reply.status(), headers, Buffer.buffer(reply.body()), contentType);
    Throwable failure = failureOf(validator.validate(response, operationId));
    if (failure != null) {
      fail(
          "%s answered %d %s %s, which the document does not allow: %s",
          operationId, reply.status(), reply.contentType(), reply.body(), failure.getMessage());
    }
  }

  /** Opens an event stream, checks its status and media type are documented, and closes it. */
  private static void assertStreamIsDocumented(String operationId, String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      HttpResponse<InputStream> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
      response.body().close();
      String type = response.headers().firstValue("Content-Type").orElse("");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(type).isEqualTo("text/event-stream");
      assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertDocumented(operationId, response.statusCode(), STAND_INS.getOrDefault(type, type));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void assertDocumented(String operationId, int status, String contentType) {
    Response documented = contract.operation(operationId).getResponse(status);
    assertThat(documented)
        .as("%s answered %d, which the document does not list", operationId, status)
        .isNotNull();
    assertThat(documented.getContent())
        .as("media types of %s %d", operationId, status)
        .containsKey(contentType);
  }

  private static Api.Reply call(HttpMethod method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port() + path))
            .method(
                method.name(),
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (!body.isEmpty()) {
      request.header("Content-Type", "application/json");
    } else {
      request.header("X-Sluice-Client", "contract-test");
    }
    return api.send(request);
  }

  private static Api.Reply create(String body, @Nullable String idempotencyKey) {
    return create(body, "application/json", idempotencyKey);
  }

  private static Api.Reply create(
      String body, String contentType, @Nullable String idempotencyKey) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port() + BATCHES))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", contentType);
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return api.send(request);
  }

  /** A route that is not an operation, as {@link #NOT_OPERATIONS} names it. */
  private static String describe(Route route) {
    String path = route.getPath();
    if (path == null) {
      return "failure handler";
    }
    return "ANY " + path + (route.isExactPath() ? "" : "*");
  }

  /** The document as JSON, read as YAML from the source tree (the file the server serves). */
  private static JsonObject documentJson() {
    try {
      String yaml = Files.readString(DOCUMENT, StandardCharsets.UTF_8);
      Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
      return new JsonObject(Json.encode(tree));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A copy for the checks: media types vertx-openapi 5.0.x cannot model are renamed to stand-ins,
   * and every object schema that does not say otherwise is closed ({@code additionalProperties:
   * false}), so an answer carrying a member the document does not name fails too.
   */
  private static JsonObject adapted(JsonObject document) {
    return (JsonObject) adapt(document.copy());
  }

  private static Object adapt(Object node) {
    if (node instanceof JsonObject json) {
      for (String name : List.copyOf(json.fieldNames())) {
        json.put(name, adapt(json.getValue(name)));
      }
      if ("object".equals(json.getValue("type"))
          && json.getValue("properties") instanceof JsonObject
          && !json.containsKey("additionalProperties")) {
        json.put("additionalProperties", false);
      }
      JsonObject content = json.getValue("content") instanceof JsonObject c ? c : null;
      if (content != null) {
        for (Map.Entry<String, String> e : STAND_INS.entrySet()) {
          if (content.containsKey(e.getKey())) {
            assertThat(content.containsKey(e.getValue()))
                .as("a content map that names both %s and %s", e.getKey(), e.getValue())
                .isFalse();
            content.put(e.getValue(), content.remove(e.getKey()));
          }
        }
      }
      return json;
    }
    if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, adapt(array.getValue(i)));
      }
      return array;
    }
    return node;
  }

  private static <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer in 30 s", e);
    }
  }

  /** The failure of the future, or null when it succeeds. */
  private static @Nullable Throwable failureOf(Future<?> future) {
    try {
      block(future);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }
}
