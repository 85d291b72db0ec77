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

/**
 * The floor under a control's latency on this machine, now: a control is answered once its commit
 * is durable, so no control can be faster than PostgreSQL's commit of one row. This runs as many
 * bare one-row commits (an update of a table of its own, each its own transaction, fsync'd), from
 * as many clients at once, and reports their latencies, which put the control figure in context.
 */
final class CommitFloor {

  private static final int ROWS = 10_000;

  private CommitFloor() {}

  /** {@code n} commits from {@code clients} JDBC connections; latencies in milliseconds. */
  static List<Double> measure(TestDatabase db, int n, int clients) throws Exception {
    db.execute(
        "CREATE TABLE IF NOT EXISTS bench_commit_floor (id int PRIMARY KEY, n bigint NOT NULL);"
            + " INSERT INTO bench_commit_floor SELECT g, 0 FROM generate_series(1, "
            + ROWS
            + ") g ON CONFLICT DO NOTHING");
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

  private static List<Double> commits(TestDatabase db, int n, Random random) throws SQLException {
    List<Double> out = new ArrayList<>(n);
    try (Connection c = Database.connect(db.url());
        PreparedStatement st =
            c.prepareStatement("UPDATE bench_commit_floor SET n = n + 1 WHERE id = ?")) {
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("SET synchronous_commit = on");
      }
      for (int i = 0; i < n; i++) {
        st.setInt(1, 1 + random.nextInt(ROWS));
        long t0 = System.nanoTime();
        st.executeUpdate();
        out.add(SluiceBench.millis(t0, System.nanoTime()));
      }
    }
    return out;
  }
}
