package dev.sluice.bench;

import static dev.sluice.bench.SluiceBench.say;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The lines every benchmark run starts with: the machine (cores, memory, system), the JVM, the
 * PostgreSQL and its settings, the load average, the jar and the number of runs; and the load
 * average again for the summary.
 */
final class MachineHeader {

  private static final Locale L = Locale.ROOT;

  private MachineHeader() {}

  static void print(SluiceBench bench, Path jar, Path logs, int runs)
      throws IOException, SQLException {
    say(
        "Sluice benchmark, "
            + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    say(
        String.format(
            L,
            "machine:  %d cores (Runtime.availableProcessors), %.1f GiB RAM, %s, kernel %s %s",
            Runtime.getRuntime().availableProcessors(),
            memTotalKib() / 1024.0 / 1024.0,
            osName(),
            System.getProperty("os.version"),
            System.getProperty("os.arch")));
    say(
        "java:     "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " (the child JVMs use the same java, default flags)");
    postgres(bench);
    say(
        "load:     "
            + loadAverage()
            + " (1/5/15-min load average at start; the machine is shared)");
    say(
        "jar:      "
            + jar
            + " ("
            + Files.size(jar) / (1024 * 1024)
            + " MiB); child logs in "
            + logs);
    say("runs:     " + runs + " per figure of (a), (b) and (c); medians are reported");
  }

  /** The header's PostgreSQL lines: its version, its address and some of its settings. */
  private static void postgres(SluiceBench bench) throws SQLException {
    try (TestDatabase db = bench.database();
        Connection c = Database.connect(db.url());
        Statement st = c.createStatement()) {
      say("postgres: " + one(st, "SELECT version()"));
      say(
          "          at "
              + db.url().host()
              + ":"
              + db.url().port()
              + "; fsync="
              + one(st, "SHOW fsync")
              + ", synchronous_commit="
              + one(st, "SHOW synchronous_commit")
              + ", shared_buffers="
              + one(st, "SHOW shared_buffers")
              + ", max_connections="
              + one(st, "SHOW max_connections")
              + ", autovacuum="
              + one(st, "SHOW autovacuum"));
    }
  }

  private static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long memTotalKib() throws IOException {
    Path info = Path.of("/proc/meminfo");
    if (!Files.isReadable(info)) {
      return Runtime.getRuntime().maxMemory() / 1024;
    }
    for (String line : Files.readAllLines(info)) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  private static String osName() throws IOException {
    Path release = Path.of("/etc/os-release");
    if (Files.isReadable(release)) {
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    }
    return System.getProperty("os.name");
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
