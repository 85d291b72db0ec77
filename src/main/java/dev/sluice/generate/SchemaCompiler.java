package dev.sluice.generate;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a schema into a validator: its shape first (size, depth, references that loop), then the
 * draft 2020-12 meta-schema, then a trial run. It may take long on a large schema, so it runs on a
 * worker thread; any failure, a StackOverflowError included, becomes an IllegalArgumentException
 * with a readable message.
 */
final class SchemaCompiler {

  private static final String META = "https://json-schema.org/draft/2020-12/";
  private static final List<String> META_PARTS =
      List.of(
          "schema",
          "meta/core",
          "meta/applicator",
          "meta/unevaluated",
          "meta/validation",
          "meta/meta-data",
          "meta/format-annotation",
          "meta/content");
  private static final Validator META_VALIDATOR = metaValidator();

  private SchemaCompiler() {}

  static Validator compile(JsonObject schema, SchemaLimits limits) {
    OutputSchema.checkShape(schema, limits);
    OutputUnit meta;
    try {
      meta = META_VALIDATOR.validate(schema);
    } catch (Throwable e) { // a StackOverflowError too: the schema is refused, nothing crashes
      throw new IllegalArgumentException("could not be checked as a JSON Schema: " + why(e), e);
    }
    if (!Boolean.TRUE.equals(meta.getValid())) {
      throw new IllegalArgumentException(
          "is not a valid JSON Schema (draft 2020-12): " + firstError(meta));
    }
    try {
      Validator validator = Validator.create(JsonSchema.of(schema), OutputSchema.options());
      validator.validate(new JsonObject());
      return validator;
    } catch (Throwable e) {
      throw new IllegalArgumentException("is not a usable JSON Schema: " + why(e), e);
    }
  }

  /** A failure in words: its message, or its kind when it has none (a StackOverflowError). */
  static String why(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String firstError(OutputUnit unit) {
    List<OutputUnit> errors = unit.getErrors();
    if (errors != null && !errors.isEmpty()) {
      OutputUnit e = errors.get(errors.size() - 1);
      return e.getInstanceLocation() + ": " + e.getError();
    }
    return String.valueOf(unit.getError());
  }

  /** The draft 2020-12 meta-schema, read from the copies vertx-json-schema ships. */
  private static Validator metaValidator() {
    SchemaRepository repository = SchemaRepository.create(OutputSchema.options());
    for (String part : META_PARTS) {
      String resource = "json-schema.org/draft/2020-12/" + part;
      try (InputStream in = SchemaCompiler.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing meta-schema " + resource);
        }
        repository.dereference(
            META + part,
            JsonSchema.of(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return repository.validator(META + "schema");
  }
}
