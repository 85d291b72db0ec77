package dev.sluice.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one reader of JSON that comes in over HTTP: RFC 8259 JSON in UTF-8 and nothing else. The
 * bytes must be well-formed UTF-8 ({@link Utf8Text}); the text must be exactly one JSON value with
 * no comments, no duplicate member names, no {@code NaN} and nothing after it. Vert.x's own codec
 * allows comments and duplicate names, so it is not used for requests.
 */
public final class StrictJson {

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
          .build();
  private static final Pattern DUPLICATE =
      Pattern.compile("Duplicate (?:field|Object property) '(.*)'", Pattern.DOTALL);

  private StrictJson() {}

  /** Why a text is not strict JSON, as the end of a sentence ("… is not valid JSON: why"). */
  public static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Invalid(String why) {
      super(why, null, false, false);
    }

    public String why() {
      return String.valueOf(getMessage());
    }
  }

  /**
   * The request body as one JSON object, read strictly: a 400 saying why when it is not UTF-8, not
   * JSON or not an object, a 422 naming the field when a text holds a NUL or half a surrogate pair.
   */
  public static JsonObject object(Buffer raw) {
    Object value;
    try {
      value = value(Utf8Text.decode(raw, "The request body"));
    } catch (Invalid e) {
      throw Problem.badRequest("The request body is not valid JSON: " + e.why());
    }
    if (!(value instanceof JsonObject object)) {
      throw Problem.badRequest(
          "The request body is not valid JSON for this route: it must be a JSON object.");
    }
    StorableText.check(object, "");
    return object;
  }

  /**
   * A parser fed bytes as they arrive ({@link StrictJsonStream}), with the same strictness: no
   * comments, no duplicate member names, no {@code NaN}.
   */
  static JsonParser nonBlocking() {
    try {
      return FACTORY.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Parses exactly one JSON value: objects become {@link JsonObject}, arrays {@link JsonArray},
   * numbers what Jackson reads them as (as Vert.x does); throws {@link Invalid} saying why not.
   */
  public static @Nullable Object value(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        throw new Invalid("it is empty.");
      }
      Object value = read(parser);
      if (parser.nextToken() != null) {
        throw new Invalid("there is more after the JSON value" + at(parser) + ".");
      }
      return value;
    } catch (StreamReadException e) {
      throw new Invalid(why(e));
    } catch (IOException e) {
      throw new Invalid("it could not be read (" + e.getMessage() + ").");
    }
  }

  private static @Nullable Object read(JsonParser parser) throws IOException {
    return switch (parser.currentTokenId()) {
      case JsonTokenId.ID_START_OBJECT -> readObject(parser);
      case JsonTokenId.ID_START_ARRAY -> readArray(parser);
      case JsonTokenId.ID_STRING -> parser.getText();
      case JsonTokenId.ID_NUMBER_INT -> parser.getNumberValue();
      case JsonTokenId.ID_NUMBER_FLOAT -> readFloat(parser);
      case JsonTokenId.ID_TRUE -> true;
      case JsonTokenId.ID_FALSE -> false;
      case JsonTokenId.ID_NULL -> null;
      default -> throw new Invalid("unexpected " + parser.currentToken() + at(parser) + ".");
    };
  }

  private static JsonObject readObject(JsonParser parser) throws IOException {
    JsonObject object = new JsonObject();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      parser.nextToken();
      object.put(name, read(parser));
    }
    return object;
  }

  private static JsonArray readArray(JsonParser parser) throws IOException {
    JsonArray array = new JsonArray();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      array.add(read(parser));
    }
    return array;
  }

  /** A number with a fraction or exponent, as Jackson reads it, if a double can hold it. */
  static Number readFloat(JsonParser parser) throws IOException {
    if (!Double.isFinite(parser.getDoubleValue())) {
      throw new Invalid("the number " + parser.getText() + at(parser) + " is too large.");
    }
    return parser.getNumberValue();
  }

  static String why(StreamReadException e) {
    String message = String.valueOf(e.getOriginalMessage());
    String where =
        e.getLocation() == null
            ? ""
            : " (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")";
    Matcher duplicate = DUPLICATE.matcher(message);
    if (duplicate.find()) {
      return "the member name \""
          + duplicate.group(1)
          + "\" appears twice in one object"
          + where
          + ".";
    } else if (message.contains("comment")) {
      return "comments are not allowed" + where + ".";
    } else if (message.contains("Non-standard token")) {
      return "NaN and Infinity are not JSON numbers" + where + ".";
    } else if (message.contains("end-of-input")) {
      return "it ends before the JSON value is complete" + where + ".";
    } else if (message.contains("CTRL-CHAR")) {
      return "a control character must be escaped inside a string" + where + ".";
    }
    return "unexpected input" + where + ".";
  }

  static String at(JsonParser parser) {
    var location = parser.currentTokenLocation();
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }
}
