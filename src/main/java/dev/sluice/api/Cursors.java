package dev.sluice.api;

import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.ListKey;
import dev.sluice.http.Problem;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The page cursors the API hands out, and reads back: for the list of batches, the creation time
 * and id of the last batch shown (base64url, so clients treat it as opaque); for items, the last
 * item's sequence number. A cursor this server did not make is a 400.
 */
final class Cursors {

  private static final String NOT_OURS =
      "The cursor is not one this server handed out; start again without it.";

  private Cursors() {}

  static String listCursor(BatchRecord last) {
    String raw = last.createdAt() + "/" + last.id();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static @Nullable ListKey listKey(@Nullable String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("/", 2);
      return new ListKey(OffsetDateTime.parse(parts[0]), UUID.fromString(parts[1]));
    } catch (RuntimeException e) {
      throw Problem.badRequest(NOT_OURS);
    }
  }

  static int afterSeq(@Nullable String cursor) {
    if (cursor == null) {
      return 0;
    }
    try {
      return Integer.parseInt(cursor);
    } catch (NumberFormatException e) {
      throw Problem.badRequest(NOT_OURS);
    }
  }
}
