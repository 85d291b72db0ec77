package dev.sluice.bench;

import static dev.sluice.bench.SluiceBench.say;

import dev.sluice.app.Database;
import dev.sluice.bench.faults.Machine;
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
 * PostgreSQL and its settings, the load average, the jar and the number of runs (the machine's
 * figures as the fault harness reads them, {@link Machine}).
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
            "machine:  %d cores (Runtime.availableProcessors), %s RAM, %s, kernel %s %s",
            Machine.cores(),
            Machine.memory(),
            Machine.os(),
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
            + Machine.loadAverage()
            + " (1/5/15-min load average at start; the machine is shared)");
    say(
        "jar:      "
            + jar
            + " ("
            + Files.size(jar) / (1024 * 1024)
            + " MiB); child logs in "
            + logs);
    say("runs:     " + runs + " per figure of (a), (b) and (c); medians are reported");
    say(
        "settings: "
            + OperatorSettings.line()
            + " (SLUICE_* of the environment, given to every Sluice the benchmark starts)");
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
}
