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

  private Utf8Text() {}

  /**
   * The bytes as text, if they are well-formed UTF-8 without a byte order mark; otherwise a 400
   * whose detail begins with {@code what} ("The request body").
   */
  public static String decode(Buffer raw, String what) {
    byte[] bytes = raw.getBytes();
    if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
      throw Problem.badRequest(
          what + " starts with a byte order mark; send JSON as UTF-8 without one.");
    }
    if (startsWith(bytes, 0xFE, 0xFF)
        || startsWith(bytes, 0xFF, 0xFE)
        || (bytes.length >= 2 && (bytes[0] == 0 || bytes[1] == 0))) {
      throw Problem.badRequest(what + " looks like UTF-16 or UTF-32; send JSON as UTF-8.");
    }
    String text = decode(bytes);
    if (text == null) {
      throw Problem.badRequest(
          what
              + " is not valid UTF-8; JSON must be sent as UTF-8 (without overlong forms or"
              + " encoded surrogates).");
    }
    return text;
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

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
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
