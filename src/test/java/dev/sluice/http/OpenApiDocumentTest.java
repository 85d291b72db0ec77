package dev.sluice.http;

import static dev.sluice.http.OpenApiDocument.BATCHES;
import static dev.sluice.http.OpenApiDocument.DOCUMENT;
import static dev.sluice.http.OpenApiDocument.PROBLEMS;
import static dev.sluice.http.OpenApiDocument.adaptedCopy;
import static dev.sluice.http.OpenApiDocument.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.openapi.contract.ContractErrorType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIContractException;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keeps {@code src/main/resources/openapi.yaml} true to Sluice's routes, in both directions: the
 * document is a valid OpenAPI 3.1 contract; every operation it describes is served; every route the
 * router mounts is described; a path under {@code /api} that it does not describe is not found; and
 * {@code GET /openapi.yaml} serves this very file.
 */
@DisplayName("The OpenAPI document describes exactly the HTTP routes Sluice serves.")
class OpenApiDocumentTest {

  /**
   * The routes that are not API operations, in the order the router holds them (open loopback
   * mode), each with what it does. Any other route without a method and an exact path, or a new one
   * here, fails the routes test.
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

  @RegisterExtension static final OpenApiDocument openApi = new OpenApiDocument();

  @Test
  @DisplayName(
      "The document is a valid OpenAPI 3.1 contract, which vertx-openapi refuses only for the media types it cannot model.")
  void isAValidOpenApi31Document() {
    Throwable failure = failureOf(OpenAPIContract.from(openApi.vertx(), DOCUMENT.toString()));
    if (failure != null) {
      // vertx-openapi validates against the OpenAPI 3.1 schema before it builds the model, so a
      // refusal of a media type means the document already passed that validation.
      assertThat(failure).isInstanceOf(OpenAPIContractException.class);
      assertThat(((OpenAPIContractException) failure).type())
          .as("why vertx-openapi refused the document: %s", failure.getMessage())
          .isEqualTo(ContractErrorType.UNSUPPORTED_FEATURE);
      assertThat(failure.getMessage()).contains("unsupported media type");
    }
    OpenAPIContract contract = openApi.contract();
    assertThat(contract.getVersion()).isEqualTo(OpenAPIVersion.V3_1);
    assertThat(contract.getRawContract().getString("openapi")).isEqualTo("3.1.0");
    assertThat(contract.operations())
        .allSatisfy(op -> assertThat(op.getOperationId()).isNotBlank());
  }

  @Test
  @DisplayName("A broken copy of the document is refused, so the validity check has teeth.")
  void brokenCopiesAreRefused() {
    JsonObject noInfo = adaptedCopy();
    noInfo.remove("info");
    assertThat(failureOf(OpenAPIContract.from(openApi.vertx(), noInfo)))
        .isInstanceOfSatisfying(
            OpenAPIContractException.class,
            e -> assertThat(e.type()).isEqualTo(ContractErrorType.INVALID_SPEC));

    JsonObject badResponseCode = adaptedCopy();
    JsonObject get =
        badResponseCode
            .getJsonObject("paths")
            .getJsonObject(BATCHES + "/{batchId}")
            .getJsonObject("get");
    get.getJsonObject("responses")
        .put("2000", new JsonObject().put("description", "not a status code"));
    assertThat(failureOf(OpenAPIContract.from(openApi.vertx(), badResponseCode)))
        .isInstanceOf(OpenAPIContractException.class);
  }

  @Test
  @DisplayName(
      "Every documented operation is served: none gets the router's 404 or 405, and each answers with a documented status, headers and body.")
  void everyDocumentedOperationIsServed() {
    assertThat(openApi.contract().operations()).isNotEmpty();
    for (Operation op : openApi.contract().operations()) {
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
      openApi.assertConforms(op.getOperationId(), reply);
    }
  }

  @Test
  @DisplayName(
      "Every route the router mounts with a method is documented, and the rest are only the known non-API routes.")
  void everyMountedRouteIsDocumented() {
    Set<String> documented =
        openApi.contract().operations().stream()
            .map(op -> op.getHttpMethod() + " " + op.getOpenAPIPath())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> mounted = new TreeSet<>();
    List<String> others = new ArrayList<>();
    for (Route route : openApi.sluice().routes()) {
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
    Api.Reply reply = openApi.api().get("/openapi.yaml");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/yaml");
    assertThat(reply.body()).isEqualTo(Files.readString(DOCUMENT, StandardCharsets.UTF_8));
    openApi.assertConforms("openApiDocument", reply);
  }

  @Test
  @DisplayName(
      "A path under /api that no operation describes answers the not-found problem the document announces; a documented path with another method answers 405 with Allow.")
  void undocumentedApiPathsAreNotFound() {
    Api.Reply nothing = openApi.api().get("/api/generation/nothing-here");
    assertThat(nothing.status()).as(nothing.body()).isEqualTo(404);
    assertThat(nothing.contentType()).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(nothing.json().getString("type")).isEqualTo(PROBLEMS + "not-found");
    assertThat(nothing.json().getString("detail")).startsWith("There is no API route ");

    String batch = BATCHES + "/" + UUID.randomUUID();
    Map<Api.Reply, String> wrongMethods =
        Map.of(
            openApi.api().get(batch + "/pause"), "POST",
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

  // ---------------------------------------------------------------------------------------------

  private static Api.Reply call(HttpMethod method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(openApi.api().base() + path))
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
    return openApi.api().send(request);
  }

  /** A route that is not an operation, as {@link #NOT_OPERATIONS} names it. */
  private static String describe(Route route) {
    String path = route.getPath();
    if (path == null) {
      return "failure handler";
    }
    return "ANY " + path + (route.isExactPath() ? "" : "*");
  }
}
