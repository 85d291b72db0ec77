package dev.sluice.http;

import org.jspecify.annotations.Nullable;

/**
 * Checks bytes that arrive in pieces for what {@link Utf8Text#decode} demands of a whole body: no
 * byte order mark, not UTF-16 or UTF-32, and well-formed UTF-8 by the table of well-formed byte
 * sequences of the Unicode standard (Table 3-7), which is what Java's strict decoder accepts: no
 * overlong forms, no encoded surrogates, nothing above U+10FFFF. A sequence may be split between
 * pieces. Once a problem is found it stays; nothing is decoded, so a piece costs one pass over its
 * bytes.
 */
public final class Utf8Stream {

  private final String what;
  private final byte[] start = new byte[Utf8Text.START_BYTES];
  private int started;
  private boolean startChecked;
  private @Nullable Problem startProblem;
  private boolean malformed;
  private int needed;
  private int lower = 0x80;
  private int upper = 0xBF;

  /** {@code what} begins the sentence of a refusal ("The request body"). */
  public Utf8Stream(String what) {
    this.what = what;
  }

  /**
   * Checks the next piece; false once the bytes so far cannot be UTF-8 JSON. Keep handing it the
   * pieces that follow: a byte order mark or UTF-16 is named as such even when the first piece was
   * too short to tell.
   */
  public boolean check(byte[] bytes, int offset, int length) {
    if (!startChecked) {
      int take = Math.min(length, start.length - started);
      System.arraycopy(bytes, offset, start, started, take);
      started += take;
      if (started == start.length) {
        checkStart();
      }
    }
    if (!malformed && !wellFormed(bytes, offset, offset + length)) {
      malformed = true;
    }
    return problem() == null;
  }

  /** Checks that nothing is left unfinished at the end; false when the whole cannot be UTF-8. */
  public boolean end() {
    if (!startChecked) {
      checkStart();
    }
    if (needed > 0) {
      malformed = true;
    }
    return problem() == null;
  }

  /**
   * The 400 saying why the bytes are refused (a byte order mark or UTF-16 before malformed UTF-8,
   * as {@link Utf8Text#decode} says), or null while they are fine.
   */
  public @Nullable Problem problem() {
    if (startProblem != null) {
      return startProblem;
    }
    return malformed ? Utf8Text.notUtf8(what) : null;
  }

  private void checkStart() {
    startChecked = true;
    startProblem = Utf8Text.startProblem(start, started, what);
  }

  private boolean wellFormed(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xFF;
      if (needed == 0) {
        if (b >= 0x80 && !lead(b)) {
          return false;
        }
      } else if (b < lower || b > upper) {
        return false;
      } else {
        needed--;
        lower = 0x80;
        upper = 0xBF;
      }
    }
    return true;
  }

  /** Starts a sequence at lead byte {@code b}; false when no well-formed sequence starts so. */
  private boolean lead(int b) {
    if (b >= 0xC2 && b <= 0xDF) {
      needed = 1;
    } else if (b == 0xE0) {
      needed = 2;
      lower = 0xA0; // no overlong three-byte forms
    } else if (b == 0xED) {
      needed = 2;
      upper = 0x9F; // no encoded surrogates
    } else if (b >= 0xE1 && b <= 0xEF) {
      needed = 2;
    } else if (b == 0xF0) {
      needed = 3;
      lower = 0x90; // no overlong four-byte forms
    } else if (b >= 0xF1 && b <= 0xF3) {
      needed = 3;
    } else if (b == 0xF4) {
      needed = 3;
      upper = 0x8F; // nothing above U+10FFFF
    } else {
      return false;
    }
    return true;
  }
}
