package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.app.Sluice;
import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code src/main/resources/openapi.yaml} as a vertx-openapi contract model, and a Sluice to hold
 * it against, for one test class: register it on a static field with {@code @RegisterExtension}.
 * Sluice runs with small limits (100 items, prompts of 2000 characters, bodies of 64 KiB), and its
 * generator holds every call until released and fails a prompt that contains {@code FAIL}.
 *
 * <p>vertx-openapi 5.0.x models only a fixed list of media types (JSON, HAL, multipart, octet
 * stream, plain text, {@code vnd.*+json}); it refuses to build a contract that names {@code
 * application/problem+json}, {@code application/yaml}, {@code text/event-stream}, {@code
 * application/x-ndjson} or the Prometheus text format ({@code text/plain; version=0.0.4}), which
 * Sluice really sends. The document keeps the true media types; the model is built from a copy in
 * which those are renamed to stand-ins it can model ({@link #STAND_INS}), and the content types of
 * real answers are mapped the same way before they are validated. The copy also closes every object
 * schema that leaves {@code additionalProperties} open, so an answer with a member the document
 * does not name fails the check; nothing else is changed.
 */
final class OpenApiDocument implements BeforeAllCallback, AfterAllCallback {

  static final Path DOCUMENT = Path.of("src/main/resources/openapi.yaml");
  static final String PROBLEMS = "https://sluice.dev/problems/";
  static final String BATCHES = "/api/generation/batch";

  /** Media types vertx-openapi 5.0.x cannot model, and the stand-ins the adapted copy uses. */
  private static final Map<String, String> STAND_INS =
      Map.of(
          "application/problem+json", "application/json",
          "application/yaml", "text/plain",
          "text/event-stream", "text/plain",
          "application/x-ndjson", "application/octet-stream",
          "text/plain; version=0.0.4; charset=utf-8", "text/plain");

  private final GatedGenerator generator = new GatedGenerator().failWhenPromptContains("FAIL");
  private final SluiceFixture sluice =
      SluiceFixture.withSettings(
              "SLUICE_MAX_ITEMS",
              "100",
              "SLUICE_MAX_PROMPT_CHARS",
              "2000",
              "SLUICE_MAX_BODY_BYTES",
              "65536")
          .generator(v -> generator)
          .beforeClose(generator::releaseAll);
  private Vertx vertx;
  private OpenAPIContract contract;
  private ResponseValidator validator;

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    contract = block(OpenAPIContract.from(vertx, adaptedCopy()));
    validator = ResponseValidator.create(vertx, contract);
    sluice.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      sluice.afterAll(context);
    } finally {
      if (vertx != null) {
        block(vertx.close());
      }
    }
  }

  /** The Vert.x instance the contract model was built with. */
  Vertx vertx() {
    return vertx;
  }

  /** The model of the adapted copy. */
  OpenAPIContract contract() {
    return contract;
  }

  Sluice sluice() {
    return sluice.sluice();
  }

  Api api() {
    return sluice.api();
  }

  GatedGenerator generator() {
    return generator;
  }

  /**
   * Fails unless the answer's status, headers, content type and body are what the document allows.
   */
  void assertConforms(String operationId, Api.Reply reply) {
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
  void assertStreamIsDocumented(String operationId, String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api().base() + path))
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

  private void assertDocumented(String operationId, int status, String contentType) {
    Response documented = contract.operation(operationId).getResponse(status);
    assertThat(documented)
        .as("%s answered %d, which the document does not list", operationId, status)
        .isNotNull();
    assertThat(documented.getContent())
        .as("media types of %s %d", operationId, status)
        .containsKey(contentType);
  }

  /**
   * A fresh copy of the document for the checks: media types vertx-openapi 5.0.x cannot model are
   * renamed to stand-ins, and every object schema that does not say otherwise is closed ({@code
   * additionalProperties: false}), so an answer carrying a member the document does not name fails
   * too.
   */
  static JsonObject adaptedCopy() {
    return (JsonObject) adapt(documentJson());
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
  static @Nullable Throwable failureOf(Future<?> future) {
    try {
      block(future);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }
}
