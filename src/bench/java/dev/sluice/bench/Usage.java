package dev.sluice.bench;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the CPU went during one measurement: the Sluice process, the PostgreSQL backends serving
 * the benchmark's database (found in pg_stat_activity), and the whole machine, which is shared.
 */
final class Usage {

  private final long pid;
  private final String name;
  private final TestDatabase db;
  private final long startNanos;
  private final double process;
  private final Map<Long, Double> backends;
  private final Cpu.Machine machine;

  private Usage(long pid, String name, TestDatabase db) {
    this.pid = pid;
    this.name = name;
    this.db = db;
    this.backends = backends(db);
    this.machine = Cpu.machine();
    this.process = Cpu.process(pid);
    this.startNanos = System.nanoTime();
  }

  static Usage start(long pid, String name, TestDatabase db) {
    return new Usage(pid, name, db);
  }

  /**
   * One line: CPU seconds of Sluice, of its database backends, and of the machine, against the wall
   * time.
   */
  String until(long endNanos) {
    double wall = (endNanos - startNanos) / 1e9;
    double sluice = Cpu.process(pid) - process;
    Map<Long, Double> now = backends(db);
    double pg = 0;
    Set<Long> pids = new HashSet<>(now.keySet());
    pids.addAll(backends.keySet());
    for (Long p : pids) {
      double end = now.getOrDefault(p, backends.getOrDefault(p, 0.0));
      pg += end - backends.getOrDefault(p, 0.0);
    }
    Cpu.Machine m = Cpu.machine();
    int cores = Runtime.getRuntime().availableProcessors();
    return String.format(
        Locale.ROOT,
        "CPU over %.2f s: %s %.2f s, its PostgreSQL backends %.2f s; whole machine busy %.1f of %.1f core-s (%d cores; shared)",
        wall,
        name,
        sluice,
        pg,
        m.busy() - machine.busy(),
        m.total() - machine.total(),
        cores);
  }

  private static Map<Long, Double> backends(TestDatabase db) {
    Map<Long, Double> out = new HashMap<>();
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
      while (rs.next()) {
        long p = rs.getLong(1);
        out.put(p, Cpu.process(p));
      }
    } catch (SQLException e) {
      // CPU figures are commentary; a failure to read them must not stop the benchmark
    }
    return out;
  }
}
