package dev.sluice.http;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Decodes bytes that must be UTF-8, strictly: malformed input, overlong forms and encoded
 * surrogates are refused rather than replaced, and so is a byte order mark.
 */
public final class Utf8Text {

  /** How many bytes {@link #startProblem} needs to see, unless the text is shorter. */
  static final int START_BYTES = 3;

  private Utf8Text() {}

  /**
   * The bytes as text, if they are well-formed UTF-8 without a byte order mark; otherwise a 400
   * whose detail begins with {@code what} ("The request body").
   */
  public static String decode(Buffer raw, String what) {
    byte[] bytes = raw.getBytes();
    Problem start = startProblem(bytes, bytes.length, what);
    if (start != null) {
      throw start;
    }
    String text = decode(bytes);
    if (text == null) {
      throw notUtf8(what);
    }
    return text;
  }

  /**
   * Why text whose first {@code length} bytes (all of it, or at least {@link #START_BYTES}) are
   * these cannot be UTF-8 JSON: it starts with a byte order mark, or looks like UTF-16 or UTF-32;
   * null when it starts well.
   */
  static @Nullable Problem startProblem(byte[] bytes, int length, String what) {
    if (startsWith(bytes, length, 0xEF, 0xBB, 0xBF)) {
      return Problem.badRequest(
          what + " starts with a byte order mark; send JSON as UTF-8 without one.");
    }
    if (startsWith(bytes, length, 0xFE, 0xFF)
        || startsWith(bytes, length, 0xFF, 0xFE)
        || (length >= 2 && (bytes[0] == 0 || bytes[1] == 0))) {
      return Problem.badRequest(what + " looks like UTF-16 or UTF-32; send JSON as UTF-8.");
    }
    return null;
  }

  /** The 400 for bytes that are not well-formed UTF-8. */
  static Problem notUtf8(String what) {
    return Problem.badRequest(
        what
            + " is not valid UTF-8; JSON must be sent as UTF-8 (without overlong forms or"
            + " encoded surrogates).");
  }

  /**
   * The bytes as text if they are well-formed UTF-8, else null. Java's decoder refuses overlong
   * forms and encoded surrogates, which a lenient decoder would turn into other characters.
   */
  static @Nullable String decode(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean startsWith(byte[] bytes, int length, int... prefix) {
    if (length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
