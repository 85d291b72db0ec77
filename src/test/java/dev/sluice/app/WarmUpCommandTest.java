package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice warm-up} in this JVM: every step of its session answers as expected on a private
 * database, and nothing of that database is left behind. As root (CI) that database is a scratch
 * one on the local server; as anyone else an embedded server in a temporary folder.
 */
@DisplayName("The warm-up command uses Sluice on a private database and leaves nothing behind")
class WarmUpCommandTest {

  private static final DatabaseUrl LOCAL =
      new DatabaseUrl("127.0.0.1", 5432, "postgres", "postgres", null);

  @Test
  @DisplayName("every step answers as expected, and the scratch database is gone afterwards")
  void runsAndCleansUp() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        WarmUpCommand.run(
            List.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String said = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(said).contains("first start done, restarting").endsWith("done\n");
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(said).contains("using a scratch database sluice_warm_up_");
      assertThat(scratchDatabases()).isEmpty();
    }
  }

  @Test
  @DisplayName("an argument is a usage error (status 2) and starts nothing")
  void refusesArguments() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        WarmUpCommand.run(
            List.of("--now"),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: sluice warm-up");
  }

  @Test
  @DisplayName(
      "its settings never name the operator's database or cluster, and turn authentication on")
  void settingsArePrivate() {
    Map<String, String> embedded = WarmUpCommand.settings(Path.of("/tmp/w"), null);
    assertThat(embedded)
        .doesNotContainKey("DATABASE_URL")
        .containsEntry("SLUICE_DATA_DIR", "/tmp/w");
    assertThat(embedded.get("SLUICE_ADMIN_KEY")).startsWith("sk-sluice-");
    assertThat(embedded)
        .containsEntry("SLUICE_CLUSTER", "true")
        .containsEntry("SLUICE_CLUSTER_MEMBERS", "")
        .containsEntry("SLUICE_CLUSTER_HOST", "127.0.0.1");
    assertThat(embedded.get("SLUICE_CLUSTER_NAME")).startsWith("sluice-warm-up-");
    Map<String, String> scratch = WarmUpCommand.settings(Path.of("/tmp/w"), "sluice_warm_up_1");
    assertThat(scratch.get("DATABASE_URL")).endsWith("/sluice_warm_up_1");
  }

  private static List<String> scratchDatabases() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = Database.connect(LOCAL);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT datname FROM pg_database WHERE datname = 'sluice_warm_up_"
                    + ProcessHandle.current().pid()
                    + "'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
