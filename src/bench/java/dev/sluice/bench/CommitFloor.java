package dev.sluice.bench;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The floor under a control's latency on this machine, now: a control is answered once its commit
 * is durable, so no control can be faster than PostgreSQL's commit of one row. This runs as many
 * bare one-row commits (an update of a table of its own, each its own transaction, fsync'd), from
 * as many clients at once, or one every few milliseconds beside a load ({@link #during}), and
 * reports their latencies, which put the control figures in context.
 */
final class CommitFloor {

  static final int ROWS = 10_000;

  private CommitFloor() {}

  /** {@code n} commits from {@code clients} JDBC connections; latencies in milliseconds. */
  static List<Double> measure(TestDatabase db, int n, int clients) throws Exception {
    createTable(db);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Callable<List<Double>>> calls = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int seed = c;
        calls.add(() -> commits(db, n / clients, new Random(seed)));
      }
      List<Double> all = new ArrayList<>();
      for (Future<List<Double>> f : pool.invokeAll(calls)) {
        all.addAll(f.get());
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The floor's table, {@link #ROWS} rows, each commit updating one at random. */
  static void createTable(TestDatabase db) {
    db.execute(
        "CREATE TABLE IF NOT EXISTS bench_commit_floor (id int PRIMARY KEY, n bigint NOT NULL);"
            + " INSERT INTO bench_commit_floor SELECT g, 0 FROM generate_series(1, "
            + ROWS
            + ") g ON CONFLICT DO NOTHING");
  }

  private static List<Double> commits(TestDatabase db, int n, Random random) throws SQLException {
    List<Double> out = new ArrayList<>(n);
    try (Connection c = connect(db);
        PreparedStatement st = c.prepareStatement(UPDATE)) {
      for (int i = 0; i < n; i++) {
        out.add(commitOnce(st, random));
      }
    }
    return out;
  }

  /** The floor's commit, its row id left to add as the parameter. */
  static final String UPDATE_ROW = "UPDATE bench_commit_floor SET n = n + 1 WHERE id = ";

  private static final String UPDATE = UPDATE_ROW + "?";

  private static Connection connect(TestDatabase db) throws SQLException {
    Connection c = Database.connect(db.url());
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("SET synchronous_commit = on");
    }
    return c;
  }

  /** One bare commit; its latency in milliseconds. */
  private static double commitOnce(PreparedStatement st, Random random) throws SQLException {
    st.setInt(1, 1 + random.nextInt(ROWS));
    long t0 = System.nanoTime();
    st.executeUpdate();
    return SluiceBench.millis(t0, System.nanoTime());
  }

  /**
   * Starts a bare one-row commit every {@code everyMs} from one connection of its own, alongside
   * whatever load runs meanwhile, until {@link Probe#stop}: the floor under a control's latency
   * under that same load. Each latency is the commit's own (a commit that starts late because the
   * one before it was slow is timed from its own start).
   */
  static Probe during(TestDatabase db, long everyMs) {
    createTable(db);
    return new Probe(db, everyMs);
  }

  /** Bare commits on a thread of their own; see {@link #during}. */
  static final class Probe {
    private final List<Double> latencies = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile @Nullable Exception failure;

    private Probe(TestDatabase db, long everyMs) {
      thread = new Thread(() -> loop(db, everyMs), "commit-floor-probe");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop(TestDatabase db, long everyMs) {
      Random random = new Random(1);
      try (Connection c = connect(db);
          PreparedStatement st = c.prepareStatement(UPDATE)) {
        long next = System.nanoTime();
        while (running) {
          double ms = commitOnce(st, random);
          synchronized (latencies) {
            latencies.add(ms);
          }
          next += TimeUnit.MILLISECONDS.toNanos(everyMs);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          } else {
            next = System.nanoTime();
          }
        }
      } catch (SQLException | InterruptedException e) {
        failure = e;
      }
    }

    /** Stops the commits and returns their latencies in milliseconds. */
    List<Double> stop() throws InterruptedException {
      running = false;
      thread.join();
      Exception e = failure;
      if (e != null) {
        throw new IllegalStateException("the commit-floor probe failed", e);
      }
      synchronized (latencies) {
        return List.copyOf(latencies);
      }
    }
  }
}
