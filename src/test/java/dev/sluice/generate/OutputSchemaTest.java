package dev.sluice.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Output schemas: their bounds, the references that loop, and checking on a worker thread. */
class OutputSchemaTest {

  private static final SchemaLimits LIMITS = new SchemaLimits(65536, 64);
  private static final String TREE =
      "{\"type\":\"object\",\"required\":[\"question\"],\"properties\":{\"question\":"
          + "{\"type\":\"string\"},\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}}}";

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"allOf\":[{\"$ref\":\"#\"}]}",
        "{\"$ref\":\"#\"}",
        "{\"$ref\":\"#/$defs/a\",\"$defs\":{\"a\":{\"anyOf\":[{\"$ref\":\"#/$defs/b\"}]},"
            + "\"b\":{\"not\":{\"$ref\":\"#/$defs/a\"}}}}",
        "{\"$defs\":{\"a\":{\"$anchor\":\"x\",\"oneOf\":[{\"$ref\":\"#x\"}]}}}",
        "{\"$dynamicAnchor\":\"node\",\"if\":{\"$dynamicRef\":\"#node\"}}",
        "{\"dependentSchemas\":{\"a\":{\"then\":{\"$ref\":\"#\"}}}}",
        "{\"$id\":\"https://example.com/root\",\"$defs\":{\"inner\":{\"$id\":\"inner\","
            + "\"allOf\":[{\"$ref\":\"inner\"}]}}}",
        "{\"$defs\":{\"a~b/c\":{\"else\":{\"$ref\":\"#/$defs/a~0b~1c\"}}}}"
      })
  @DisplayName("A schema whose references loop through in-place keywords is refused as endless")
  void endless(String schema) {
    assertThatThrownBy(() -> OutputSchema.checkShape(new JsonObject(schema), LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refers to itself without end");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        TREE,
        "{\"properties\":{\"x\":{\"$ref\":\"#/$defs/d\"}},\"$defs\":{\"d\":{\"allOf\":[{\"$ref\":\"#\"}]}}}",
        "{\"prefixItems\":[{\"$ref\":\"#\"}],\"additionalProperties\":{\"$ref\":\"#\"}}",
        "{\"allOf\":[{\"$ref\":\"#/$defs/a\"},{\"$ref\":\"#/$defs/a\"}],\"$defs\":{\"a\":{}}}",
        "{\"$ref\":\"https://elsewhere.example/schema\"}"
      })
  @DisplayName("Recursion that moves into the output, and references shared without a loop, pass")
  void finite(String schema) {
    assertThatCode(() -> OutputSchema.checkShape(new JsonObject(schema), LIMITS))
        .doesNotThrowAnyException();
  }

  @Test
  @DisplayName("The size bound counts the schema's compact JSON in UTF-8, byte for byte")
  void size() {
    JsonObject schema =
        new JsonObject()
            .put("description", "Ünïcödé \"quoted\" \\ tab\t line\n bell\u0007 😀 ☃")
            .put("enum", new JsonArray().add(1).add(2.5).add(true).addNull().add(-7L));
    int bytes = schema.encode().getBytes(StandardCharsets.UTF_8).length;
    assertThatCode(() -> OutputSchema.checkShape(schema, new SchemaLimits(bytes, 64)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> OutputSchema.checkShape(schema, new SchemaLimits(bytes - 1, 64)))
        .hasMessageContaining("larger than " + (bytes - 1) + " bytes");
  }

  @Test
  @DisplayName("A schema nested deeper than the bound is refused, saying the bound")
  void depth() {
    JsonObject schema = new JsonObject();
    for (int i = 0; i < 40; i++) {
      schema = new JsonObject().put("allOf", new JsonArray().add(schema));
    }
    JsonObject deep = schema;
    assertThatThrownBy(() -> OutputSchema.checkShape(deep, LIMITS))
        .hasMessageContaining("deeper than 64 levels");
    assertThatCode(() -> OutputSchema.checkShape(deep, new SchemaLimits(65536, 81)))
        .doesNotThrowAnyException();
  }

  @Test
  @DisplayName("Checking meets, misses (retryable) and non-JSON outputs on a worker thread")
  void check() throws Exception {
    OutputSchema schema = OutputSchema.of(new JsonObject(TREE), LIMITS);
    await(
        schema.check(
            vertx, "```json\n{\"question\":\"a\",\"children\":[{\"question\":\"b\"}]}\n```"));

    GenerationException miss = failure(schema.check(vertx, "{\"children\":[{\"question\":5}]}"));
    assertThat(miss.kind()).isEqualTo(GenerationException.Kind.RETRYABLE);
    assertThat(miss.getMessage()).contains("does not match");

    assertThat(failure(schema.check(vertx, "prose")).getMessage()).contains("not JSON");
  }

  @Test
  @DisplayName(
      "A schema that cannot be used fails each check as a non-retryable item error with its own code")
  void unusable() throws Exception {
    OutputSchema endless =
        OutputSchema.of(new JsonObject("{\"allOf\":[{\"$ref\":\"#\"}]}"), LIMITS);
    GenerationException e = failure(endless.check(vertx, "{}"));
    assertThat(e.kind()).isEqualTo(GenerationException.Kind.ITEM);
    assertThat(e.code()).isEqualTo(OutputSchema.UNCHECKABLE);
    assertThat(e.getMessage()).contains("refers to itself without end");

    OutputSchema invalid = OutputSchema.of(new JsonObject().put("type", 12), LIMITS);
    assertThat(cause(invalid.compile(vertx)).getMessage()).contains("is not a valid JSON Schema");
  }

  private static void await(Future<?> f) throws Exception {
    f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static GenerationException failure(Future<?> f) throws Exception {
    Throwable cause = cause(f);
    assertThat(cause).isInstanceOf(GenerationException.class);
    return (GenerationException) cause;
  }

  private static Throwable cause(Future<?> f) throws Exception {
    try {
      await(f);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
