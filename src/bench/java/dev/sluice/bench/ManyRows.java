package dev.sluice.bench;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What (f) many live batches ({@link ManyBench}) reads from the node's database: the batches' ids,
 * when every batch dispatches again after a restart, and that no item or batch was lost.
 */
final class ManyRows {

  /**
   * How often the count of dispatching batches is polled: a scan of every batch, so not as often as
   * readiness, lest the benchmark's own queries slow the recovery it measures.
   */
  private static final int DISPATCH_POLL_MS = 100;

  private ManyRows() {}

  static List<String> ids(TestDatabase db) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection c = Database.connect(db.url());
        PreparedStatement st = c.prepareStatement("SELECT id FROM batches ORDER BY id");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /**
   * Polls until every batch is running with items in flight under an epoch above {@code epoch};
   * returns when that was seen (System.nanoTime).
   */
  static long awaitDispatching(TestDatabase db, long epoch, int timeoutSeconds)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    int seen = 0;
    try (Connection c = Database.connect(db.url());
        PreparedStatement st =
            c.prepareStatement(
                "SELECT count(*) FROM batches WHERE status = 'running' AND in_progress > 0 AND"
                    + " epoch > ?")) {
      st.setLong(1, epoch);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          seen = rs.getInt(1);
        }
        if (seen == ManyBench.BATCHES) {
          return System.nanoTime();
        }
        Thread.sleep(DISPATCH_POLL_MS);
      }
    }
    throw new IllegalStateException(
        "only "
            + seen
            + " of "
            + ManyBench.BATCHES
            + " batches dispatching after "
            + timeoutSeconds
            + " s");
  }

  static void checkNothingLost(TestDatabase db) {
    long items = db.queryLong("SELECT count(*) FROM items");
    long ended = db.queryLong("SELECT count(*) FROM batches WHERE status <> 'running'");
    long settled =
        db.queryLong(
            "SELECT count(*) FROM items WHERE status NOT IN ('pending'," + " 'in_progress')");
    if (items != (long) ManyBench.BATCHES * ManyBench.ITEMS || ended != 0 || settled != 0) {
      throw new IllegalStateException(
          items + " items, " + ended + " batches not running, " + settled + " items settled");
    }
  }
}
