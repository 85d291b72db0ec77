package dev.sluice.bench.faults;

import dev.sluice.app.Database;
import dev.sluice.app.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The machine a run used, for the headers of the fault harness and of the benchmark and for
 * docs/reliability.md: cores, memory, load, PostgreSQL.
 */
public final class Machine {

  private Machine() {}

  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  public static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return "unknown";
  }

  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  public static String os() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return System.getProperty("os.name");
  }

  /** {@code SELECT version()} of the server at this URL, or why it could not be read. */
  static String postgres(DatabaseUrl url) {
    try (Connection c = Database.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('server_version')")) {
      rs.next();
      return "PostgreSQL " + rs.getString(1);
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
