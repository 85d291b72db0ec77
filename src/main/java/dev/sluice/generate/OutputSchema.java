package dev.sluice.generate;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A batch's quality gate: every output must be JSON (a fenced ```json block is accepted) that meets
 * the batch's JSON Schema (draft 2020-12). A miss is a retryable failure of the item, with the
 * validation message recorded.
 */
public final class OutputSchema {

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

  private final Validator validator;

  private OutputSchema(Validator validator) {
    this.validator = validator;
  }

  /** Compiles a schema; throws IllegalArgumentException with a readable message if unusable. */
  public static OutputSchema of(JsonObject schema) {
    OutputUnit meta = META_VALIDATOR.validate(schema);
    if (!Boolean.TRUE.equals(meta.getValid())) {
      throw new IllegalArgumentException(
          "is not a valid JSON Schema (draft 2020-12): " + firstError(meta));
    }
    Validator validator =
        Validator.create(
            JsonSchema.of(schema),
            new JsonSchemaOptions()
                .setDraft(Draft.DRAFT202012)
                .setBaseUri("https://sluice.dev/schemas/")
                .setOutputFormat(OutputFormat.Basic));
    try {
      validator.validate(new JsonObject());
    } catch (SchemaException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("is not a usable JSON Schema: " + e.getMessage(), e);
    }
    return new OutputSchema(validator);
  }

  /** Why the text does not meet the schema, or null when it does. */
  public @Nullable String violation(String text) {
    Object value;
    try {
      value = Json.decodeValue(unfence(text));
    } catch (DecodeException e) {
      return "The output is not JSON.";
    }
    try {
      OutputUnit result = validator.validate(value);
      if (Boolean.TRUE.equals(result.getValid())) {
        return null;
      }
      StringBuilder why = new StringBuilder("The output does not match the batch's schema:");
      if (result.getErrors() != null) {
        result.getErrors().stream()
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
    } catch (SchemaException e) {
      return "The output could not be checked against the batch's schema: " + e.getMessage();
    }
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
    JsonSchemaOptions options =
        new JsonSchemaOptions()
            .setDraft(Draft.DRAFT202012)
            .setBaseUri("https://sluice.dev/schemas/")
            .setOutputFormat(OutputFormat.Basic);
    SchemaRepository repository = SchemaRepository.create(options);
    for (String part : META_PARTS) {
      String resource = "json-schema.org/draft/2020-12/" + part;
      try (InputStream in = OutputSchema.class.getClassLoader().getResourceAsStream(resource)) {
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
