package dev.sluice.api.v1;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ids the OpenAI face shows: {@code batch_<hex>} for a batch, {@code file-<hex>} for an
 * uploaded file, and {@code file-<batch hex>-output} / {@code -errors} for a batch's output and
 * error files, where {@code <hex>} is the UUID of the native batch or file without dashes.
 */
final class OpenAiIds {

  private static final Pattern BATCH = Pattern.compile("batch_([0-9a-f]{32})");
  private static final Pattern FILE = Pattern.compile("file-([0-9a-f]{32})(-output|-errors)?");

  /** Which file an id names. */
  enum Kind {
    UPLOAD,
    OUTPUT,
    ERRORS
  }

  /** A file id read back: the uploaded file's id, or the batch whose output or errors it holds. */
  record FileRef(UUID id, Kind kind) {}

  private OpenAiIds() {}

  static String batch(UUID id) {
    return "batch_" + hex(id);
  }

  static String file(UUID id) {
    return "file-" + hex(id);
  }

  static String output(UUID batchId, Kind kind) {
    return file(batchId) + (kind == Kind.OUTPUT ? "-output" : "-errors");
  }

  static Optional<UUID> batchId(String id) {
    Matcher m = BATCH.matcher(id);
    return m.matches() ? Optional.of(uuid(m.group(1))) : Optional.empty();
  }

  static Optional<FileRef> fileRef(String id) {
    Matcher m = FILE.matcher(id);
    if (!m.matches()) {
      return Optional.empty();
    }
    Kind kind =
        m.group(2) == null ? Kind.UPLOAD : m.group(2).equals("-output") ? Kind.OUTPUT : Kind.ERRORS;
    return Optional.of(new FileRef(uuid(m.group(1)), kind));
  }

  private static String hex(UUID id) {
    return id.toString().replace("-", "");
  }

  private static UUID uuid(String hex) {
    return UUID.fromString(
        hex.substring(0, 8)
            + "-"
            + hex.substring(8, 12)
            + "-"
            + hex.substring(12, 16)
            + "-"
            + hex.substring(16, 20)
            + "-"
            + hex.substring(20));
  }
}
