package dev.sluice.bench;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * What the database wrote during one measurement: the write transactions committed and the WAL
 * bytes produced, per item, read from the server's own counters (the transaction id and the WAL
 * position, which move at once, unlike the cumulative statistics). Both cover the whole server,
 * which the benchmark has to itself while it measures.
 */
final class WriteMeter {

  private final TestDatabase db;
  private final long xid;
  private final long wal;

  private WriteMeter(TestDatabase db) throws SQLException {
    this.db = db;
    long[] now = read(db);
    this.xid = now[0];
    this.wal = now[1];
  }

  /**
   * Starts after a checkpoint of the server, so that none is under way during the measurement: the
   * untimed rounds before it write enough WAL to start one (every max_wal_size), and a checkpoint
   * spread over minutes of writing dirty pages would load whichever timed round it overlaps.
   */
  static WriteMeter afterCheckpoint(TestDatabase db) throws SQLException {
    checkpoint(db);
    return new WriteMeter(db);
  }

  /** Has the server write a checkpoint now, and returns once it has. */
  static void checkpoint(TestDatabase db) throws SQLException {
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement()) {
      st.execute("CHECKPOINT");
    }
  }

  /** One line: write transactions per 1,000 items and WAL bytes per item since the start. */
  String until(long items) throws SQLException {
    long[] now = read(db);
    // Each reading takes a transaction id of its own: the start's is not counted, the end's is.
    long transactions = now[0] - xid - 1;
    return String.format(
        Locale.ROOT,
        "database writes: %,d transactions (%.1f per 1,000 items), %.0f bytes of WAL per item",
        transactions,
        1000.0 * transactions / items,
        (double) (now[1] - wal) / items);
  }

  private static long[] read(TestDatabase db) throws SQLException {
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT txid_current(), pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }
}
