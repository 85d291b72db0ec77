package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Uploads wait in a folder of the process's own: under a fixed shared name, the first user's Sluice
 * owned it and every other user's uploads to {@code /v1/files} failed with a 500.
 */
@DisplayName("Uploads wait in a folder of this process's own")
class UploadFolderTest {

  @Test
  @DisplayName("the folder is under the temporary folder, private to this user, and not shared")
  void privateFolder() throws Exception {
    Path dir = Path.of(UploadFolder.path());
    assertThat(dir).isDirectory();
    assertThat(dir.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(dir.getFileName().toString()).startsWith("sluice-uploads-");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(Files.getOwner(dir).getName()).isEqualTo(System.getProperty("user.name"));
    assertThat(UploadFolder.path()).isEqualTo(dir.toString());
  }
}
