package dev.sluice.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * Builds one JSON value from a parser's tokens as they arrive, into what {@link StrictJson#value}
 * builds from a whole text: {@link JsonObject}, {@link JsonArray}, strings, numbers as Jackson
 * reads them (a fraction a double cannot hold refused), booleans and null. It keeps its place
 * between tokens, so a value may span any number of pieces of input.
 */
final class JsonTree {

  private final Deque<Object> open = new ArrayDeque<>();
  private @Nullable String name;
  private @Nullable Object done;

  /**
   * Takes the next token of the value ({@code parser}'s current token); true once the value is
   * complete, then {@link #take} hands it over and the tree is ready for the next value.
   */
  boolean token(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        JsonObject object = new JsonObject();
        attach(object);
        open.push(object);
        return false;
      }
      case START_ARRAY -> {
        JsonArray array = new JsonArray();
        attach(array);
        open.push(array);
        return false;
      }
      case FIELD_NAME -> {
        name = parser.currentName();
        return false;
      }
      case END_OBJECT, END_ARRAY -> {
        Object closed = open.pop();
        return complete(closed);
      }
      default -> {
        Object value = scalar(parser, token);
        attach(value);
        return complete(value);
      }
    }
  }

  /** The value just completed. */
  @Nullable Object take() {
    Object value = done;
    done = null;
    return value;
  }

  /** Puts the value into the innermost open object or array (a container before it is filled). */
  private void attach(@Nullable Object value) {
    Object parent = open.peek();
    if (parent instanceof JsonObject object) {
      object.put(String.valueOf(name), value);
    } else if (parent instanceof JsonArray array) {
      array.add(value);
    }
  }

  private boolean complete(@Nullable Object value) {
    if (!open.isEmpty()) {
      return false;
    }
    done = value;
    return true;
  }

  private static @Nullable Object scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getNumberValue();
      case VALUE_NUMBER_FLOAT -> StrictJson.readFloat(parser);
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      case VALUE_NULL -> null;
      default -> throw new StrictJson.Invalid("unexpected " + token + StrictJson.at(parser) + ".");
    };
  }
}
