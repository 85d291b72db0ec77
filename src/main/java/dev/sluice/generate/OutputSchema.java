package dev.sluice.generate;

import dev.sluice.generate.GenerationException.Kind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A batch's quality gate: every output must be JSON (a fenced ```json block is accepted) that meets
 * the batch's JSON Schema (draft 2020-12). A miss is a retryable failure of the item, with the
 * validation message recorded. Compiling and checking run on a worker thread, never on an event
 * loop, and the schema is bounded in size and depth and may not refer to itself without end, so a
 * hostile schema costs neither a stalled server nor a crash.
 */
public final class OutputSchema {

  /** The error code of an item whose output could not be checked at all. */
  public static final String UNCHECKABLE = "output_schema_error";

  private final JsonObject schema;
  private final SchemaLimits limits;
  private @Nullable Future<Validator> compiled;

  private OutputSchema(JsonObject schema, SchemaLimits limits) {
    this.schema = schema;
    this.limits = limits;
  }

  /** A schema to compile on first use; building it costs nothing. */
  public static OutputSchema of(JsonObject schema, SchemaLimits limits) {
    return new OutputSchema(schema, limits);
  }

  /**
   * Refuses, with a readable IllegalArgumentException, a schema over the limits or one whose
   * references loop without descending into the instance. Its cost grows with the schema only up to
   * the size limit, so it may run on an event loop.
   */
  public static void checkShape(JsonObject schema, SchemaLimits limits) {
    SchemaShape.check(schema, limits);
    SchemaCycles.check(schema);
  }

  /**
   * Compiles the schema on a worker thread, once; fails with an IllegalArgumentException saying why
   * the schema cannot be used.
   */
  public Future<OutputSchema> compile(Vertx vertx) {
    return validator(vertx).map(this);
  }

  private synchronized Future<Validator> validator(Vertx vertx) {
    Future<Validator> f = compiled;
    if (f == null) {
      f = vertx.executeBlocking(() -> SchemaCompiler.compile(schema, limits), false);
      compiled = f;
    }
    return f;
  }

  /**
   * Checks an output on a worker thread: succeeds when it meets the schema; fails with a retryable
   * {@link GenerationException} when it does not, and with a non-retryable one coded {@value
   * #UNCHECKABLE} when the schema cannot be compiled or checking fails.
   */
  public Future<Void> check(Vertx vertx, String text) {
    return validator(vertx)
        .recover(
            e ->
                Future.failedFuture(
                    GenerationException.coded(
                        Kind.ITEM,
                        UNCHECKABLE,
                        "The batch's output schema cannot be used: it " + e.getMessage())))
        // Ordered: one check at a time per caller's context, so a runner never shares its
        // validator between two worker threads at once.
        .compose(validator -> vertx.executeBlocking(() -> verdict(validator, text), true))
        .compose(
            why ->
                why.isEmpty()
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(new GenerationException(Kind.RETRYABLE, why, null)));
  }

  /** Why the text misses the schema, or "" when it meets it; run on a worker. */
  private static String verdict(Validator validator, String text) {
    Object value;
    try {
      value = Json.decodeValue(unfence(text));
    } catch (RuntimeException e) {
      return "The output is not JSON.";
    }
    OutputUnit result;
    try {
      result = validator.validate(value);
    } catch (Throwable e) { // a StackOverflowError too: the item fails, the runner lives on
      throw GenerationException.coded(
          Kind.ITEM,
          UNCHECKABLE,
          "The output could not be checked against the batch's schema: " + SchemaCompiler.why(e));
    }
    return Boolean.TRUE.equals(result.getValid()) ? "" : describe(result);
  }

  private static String describe(OutputUnit result) {
    StringBuilder why = new StringBuilder("The output does not match the batch's schema:");
    List<OutputUnit> errors = result.getErrors();
    if (errors != null) {
      errors.stream()
          .limit(5)
          .forEach(
              e ->
                  why.append(' ')
                      .append(e.getInstanceLocation())
                      .append(": ")
                      .append(e.getError())
                      .append(';'));
    } else if (result.getError() != null) {
      why.append(' ').append(result.getError());
    }
    return why.toString();
  }

  static JsonSchemaOptions options() {
    return new JsonSchemaOptions()
        .setDraft(Draft.DRAFT202012)
        .setBaseUri("https://sluice.dev/schemas/")
        .setOutputFormat(OutputFormat.Basic);
  }

  private static String unfence(String text) {
    String t = text.strip();
    if (t.startsWith("```")) {
      int start = t.indexOf('\n');
      int end = t.lastIndexOf("```");
      if (start > 0 && end > start) {
        return t.substring(start + 1, end).strip();
      }
    }
    return t;
  }
}
