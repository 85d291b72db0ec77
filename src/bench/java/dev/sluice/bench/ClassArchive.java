package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The class-data archive deploy/Dockerfile ships with the image, made the same way: {@code warm-up}
 * run from the jar under {@code -XX:ArchiveClassesAtExit}. Made once per jar and kept beside the
 * benchmark's logs; a jar newer than the archive gets a new one.
 */
final class ClassArchive {

  private ClassArchive() {}

  /** The archive for this jar, made now if there is none or the jar is newer. */
  static Path forJar(Path jar, Path dir) throws IOException, InterruptedException {
    Path archive = dir.resolve("sluice.jsa");
    if (Files.isRegularFile(archive)
        && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
      return archive;
    }
    Files.deleteIfExists(archive);
    Path log = dir.resolve("warm-up.log");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseG1GC",
                    "-XX:ArchiveClassesAtExit=" + archive,
                    "-Xlog:cds=off",
                    "-Xlog:cds+dynamic=off",
                    "-jar",
                    jar.toString(),
                    "warm-up"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isRegularFile(archive)) {
      p.destroyForcibly();
      throw new IllegalStateException("warm-up did not write a class-data archive; see " + log);
    }
    return archive;
  }
}
