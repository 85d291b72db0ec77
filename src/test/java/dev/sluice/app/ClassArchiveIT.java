package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data archive the image ships, made as deploy/Dockerfile makes it: {@code warm-up} run
 * from the packaged jar under {@code -XX:ArchiveClassesAtExit} writes an archive that a later start
 * of the same jar maps ({@code -Xshare:on} refuses to start otherwise), and that a start of another
 * jar is not given.
 */
@DisplayName("warm-up under -XX:ArchiveClassesAtExit writes an archive later starts can map")
class ClassArchiveIT {

  private static final Path JAR =
      Path.of(System.getProperty("sluice.jar", "target/sluice.jar")).toAbsolutePath();

  @TempDir Path dir;

  private record Run(int status, String output) {}

  private Run java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(args));
    Path log = dir.resolve("out-" + System.nanoTime() + ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("the archive is written, and a start of the same jar maps it")
  void archiveIsWrittenAndMapped() throws Exception {
    Path archive = dir.resolve("sluice.jsa");
    Run warmUp =
        java(
            "-XX:ArchiveClassesAtExit=" + archive,
            "-Xlog:cds=off",
            "-Xlog:cds+dynamic=off",
            "-jar",
            JAR.toString(),
            "warm-up");
    assertThat(warmUp.status()).as(warmUp.output()).isZero();
    assertThat(warmUp.output()).contains("sluice warm-up: done");
    assertThat(archive).isRegularFile();
    assertThat(Files.size(archive)).isGreaterThan(1 << 20);

    Run mapped =
        java(
            "-Xshare:on",
            "-XX:SharedArchiveFile=" + archive,
            "-Xlog:class+load=info",
            "-jar",
            JAR.toString(),
            "keys",
            "generate");
    assertThat(mapped.status()).as(mapped.output()).isZero();
    assertThat(mapped.output())
        .containsPattern("sk-sluice-\\S+")
        .contains("dev.sluice.app.Sluice source: shared objects file (top)");
  }
}
