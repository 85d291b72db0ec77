package dev.sluice.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.exc.StreamReadException;
import java.io.IOException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads one JSON object as its bytes arrive, as strictly as {@link StrictJson} reads a whole text,
 * without ever holding it whole: each member of the object is handed over once it is complete,
 * except that the elements of one named array member are handed over one at a time. The work done
 * for a piece of input is bounded by its size, so it may run on an event loop. The bytes must
 * already be known to be UTF-8 ({@link Utf8Stream}). A value that is not an object is read to its
 * end (so a syntax error in it is still reported) but nothing of it is handed over.
 *
 * <p>Trade-off: error locations are Jackson's for bytes, so a column counts bytes, not characters,
 * after a non-ASCII character on the same line.
 */
public final class StrictJsonStream {

  /** Receives the object as it is read. */
  public interface Listener {
    /** A complete member of the object, other than the elements of the streamed array. */
    void member(String name, @Nullable Object value);

    /** The streamed member begins, and is an array: its elements follow. */
    void arrayStarted();

    /** The next element of the streamed array. */
    void element(@Nullable Object value);
  }

  private static final Pattern NUMBER =
      Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

  private enum Place {
    ROOT,
    MEMBERS,
    VALUE,
    MEMBER_TREE,
    ELEMENTS,
    ELEMENT_TREE,
    SKIPPING,
    AFTER
  }

  private final JsonParser parser = StrictJson.nonBlocking();
  private final ByteArrayFeeder feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
  private final String streamed;
  private final Listener listener;
  private final JsonTree tree = new JsonTree();
  private Place place = Place.ROOT;
  private @Nullable String member;
  private boolean object;
  private int depth;
  private boolean afterName;

  /** Streams the elements of the member named {@code streamed} when it is an array. */
  public StrictJsonStream(String streamed, Listener listener) {
    this.streamed = streamed;
    this.listener = listener;
  }

  /**
   * Reads the next piece; throws {@link StrictJson.Invalid} saying why once the input cannot be one
   * strict JSON value. The array is not kept: it must not change until this returns.
   */
  public void feed(byte[] bytes, int offset, int length) {
    try {
      feeder.feedInput(bytes, offset, offset + length);
      drain();
    } catch (StreamReadException e) {
      throw new StrictJson.Invalid(StrictJson.why(e));
    } catch (IOException e) {
      throw new StrictJson.Invalid("it could not be read (" + e.getMessage() + ").");
    }
  }

  /**
   * The input is over: throws {@link StrictJson.Invalid} unless it was exactly one JSON value.
   * Whether that value was an object is {@link #wasObject}.
   */
  public void end() {
    try {
      feeder.endOfInput();
      drain();
      if (place == Place.ROOT) {
        throw new StrictJson.Invalid("it is empty.");
      }
    } catch (StreamReadException e) {
      throw new StrictJson.Invalid(StrictJson.why(e));
    } catch (IOException e) {
      throw new StrictJson.Invalid("it could not be read (" + e.getMessage() + ").");
    }
  }

  /** Whether the value read was a JSON object. */
  public boolean wasObject() {
    return object;
  }

  private void drain() throws IOException {
    for (JsonToken t = parser.nextToken();
        t != null && t != JsonToken.NOT_AVAILABLE;
        t = parser.nextToken()) {
      // Jackson's non-blocking parser lets a member name be followed by the end of its object
      // ({"a":}); its blocking parser, and JSON, do not.
      if (t == JsonToken.END_OBJECT && afterName) {
        throw new StrictJson.Invalid("unexpected input" + StrictJson.at(parser) + ".");
      }
      afterName = t == JsonToken.FIELD_NAME;
      take(t);
    }
  }

  private void take(JsonToken t) throws IOException {
    switch (place) {
      case ROOT -> root(t);
      case MEMBERS -> members(t);
      case VALUE -> value(t);
      case MEMBER_TREE -> {
        if (tree.token(parser, t)) {
          memberDone(tree.take());
        }
      }
      case ELEMENTS -> elements(t);
      case ELEMENT_TREE -> {
        if (tree.token(parser, t)) {
          place = Place.ELEMENTS;
          listener.element(tree.take());
        }
      }
      case SKIPPING -> skip(t);
      case AFTER ->
          throw new StrictJson.Invalid(
              "there is more after the JSON value" + StrictJson.at(parser) + ".");
    }
  }

  private void root(JsonToken t) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      object = true;
      place = Place.MEMBERS;
    } else {
      place = Place.SKIPPING;
      skip(t);
    }
  }

  private void members(JsonToken t) throws IOException {
    if (t == JsonToken.END_OBJECT) {
      place = Place.AFTER;
    } else {
      member = parser.currentName();
      place = Place.VALUE;
    }
  }

  private void value(JsonToken t) throws IOException {
    if (t == JsonToken.START_ARRAY && streamed.equals(member)) {
      place = Place.ELEMENTS;
      listener.arrayStarted();
    } else if (tree.token(parser, t)) {
      memberDone(tree.take());
    } else {
      place = Place.MEMBER_TREE;
    }
  }

  private void memberDone(@Nullable Object value) {
    place = Place.MEMBERS;
    listener.member(String.valueOf(member), value);
  }

  private void elements(JsonToken t) throws IOException {
    if (t == JsonToken.END_ARRAY) {
      place = Place.MEMBERS;
    } else if (tree.token(parser, t)) {
      listener.element(tree.take());
    } else {
      place = Place.ELEMENT_TREE;
    }
  }

  /**
   * Reads a value that is not an object to its end, keeping nothing but numbers' checks. A number
   * alone at the end of the input is checked against JSON's grammar too: Jackson's non-blocking
   * parser takes {@code -2.} there.
   */
  private void skip(JsonToken t) throws IOException {
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      depth++;
    } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
      depth--;
    } else if (t.isNumeric() && !NUMBER.matcher(parser.getText()).matches()) {
      throw new StrictJson.Invalid("unexpected input" + StrictJson.at(parser) + ".");
    } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      StrictJson.readFloat(parser);
    }
    if (depth == 0) {
      place = Place.AFTER;
    }
  }
}
