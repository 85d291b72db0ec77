package dev.sluice.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where uploads to {@code /v1/files} wait while they arrive: a folder of this process's own under
 * the system's temporary folder, readable by its user only, made on first use and removed at exit
 * (each upload's file is deleted once answered). A fixed, shared name would belong to whichever
 * user's Sluice made it first, and every other user's uploads there would fail.
 */
final class UploadFolder {

  private UploadFolder() {}

  /** The folder's path. */
  static String path() {
    return Holder.PATH.toString();
  }

  private static final class Holder {
    static final Path PATH = create();

    private static Path create() {
      try {
        Path dir = Files.createTempDirectory("sluice-uploads-");
        dir.toFile().deleteOnExit();
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException("no folder for uploads in the temporary folder", e);
      }
    }
  }
}
