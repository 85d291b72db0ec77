package dev.sluice.bench.faults;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The kill cycles' checks made directly in the database (JDBC): every item a created batch had is
 * there once, a finished result is never lost or replaced, counts on the batch row equal counts
 * over its items, and every acknowledged pause or cancel still holds.
 */
final class ItemAudit {

  /**
   * One batch row next to the counts over its items (total, pending, in progress, succeeded,
   * failed, cancelled).
   */
  static final class Row {

    static final String[] COLUMNS = {
      "total", "pending", "in_progress", "succeeded", "failed", "cancelled"
    };

    private final UUID id;
    private final String status;
    private final long[] stored;
    private final long[] counted;

    Row(UUID id, String status, long[] stored, long[] counted) {
      this.id = id;
      this.status = status;
      this.stored = stored.clone();
      this.counted = counted.clone();
    }

    UUID id() {
      return id;
    }

    String status() {
      return status;
    }

    long stored(int column) {
      return stored[column];
    }

    long counted(int column) {
      return counted[column];
    }

    long rows() {
      return counted[0];
    }

    boolean consistent() {
      return java.util.Arrays.equals(stored, counted);
    }

    long live() {
      return stored[1] + stored[2] + counted[1] + counted[2];
    }

    long finished() {
      return stored[3] + stored[4] + stored[5];
    }

    String describe() {
      return "row "
          + java.util.Arrays.toString(stored)
          + " vs items "
          + java.util.Arrays.toString(counted)
          + " "
          + String.join("/", COLUMNS);
    }
  }

  /** A finished item as last seen: its status, retry round, and a hash of its result. */
  private record Mark(String status, int round, long hash, int retriesSeen) {}

  private static final String ROWS =
      """
      SELECT b.id, b.status, b.total, b.pending, b.in_progress, b.succeeded, b.failed, b.cancelled,
             count(i.seq), count(i.seq) FILTER (WHERE i.status = 'pending'),
             count(i.seq) FILTER (WHERE i.status = 'in_progress'),
             count(i.seq) FILTER (WHERE i.status = 'succeeded'),
             count(i.seq) FILTER (WHERE i.status = 'failed'),
             count(i.seq) FILTER (WHERE i.status = 'cancelled')
      FROM batches b LEFT JOIN items i ON i.batch_id = b.id
      GROUP BY b.id""";

  private static final String FINISHED =
      """
      SELECT batch_id, seq, status, round,
             hashtextextended(coalesce(output, '') || '|' || coalesce(finished_at::text, '')
                              || '|' || attempts || '|' || coalesce(error::text, ''), 0)
      FROM items WHERE status IN ('succeeded', 'failed', 'cancelled')""";

  private static final String TWICE =
      "SELECT batch_id, item_id, count(*) FROM items GROUP BY batch_id, item_id HAVING count(*) > 1";

  private final TestDatabase db;
  private final Findings findings;
  private final Map<UUID, Map<Integer, Mark>> marks = new HashMap<>();

  ItemAudit(TestDatabase db, Findings findings) {
    this.db = db;
    this.findings = findings;
  }

  /** Waits until no session but ours is left on the database, so the rows are final. */
  void awaitSessionsGone(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (db.queryLong(
              "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                  + " AND pid <> pg_backend_pid()")
          == 0) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        "the killed process's sessions were still there after the wait");
  }

  /** Ids of the batches matching a condition on the batch row, oldest first. */
  java.util.List<UUID> ids(String where) throws SQLException {
    java.util.List<UUID> out = new java.util.ArrayList<>();
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT id FROM batches WHERE " + where + " ORDER BY created_at, id")) {
      while (rs.next()) {
        out.add((UUID) rs.getObject(1));
      }
    }
    return out;
  }

  /** Every batch row with the counts over its items. */
  Map<UUID, Row> rows() throws SQLException {
    Map<UUID, Row> out = new LinkedHashMap<>();
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(ROWS)) {
      while (rs.next()) {
        long[] stored = new long[6];
        long[] counted = new long[6];
        for (int i = 0; i < 6; i++) {
          stored[i] = rs.getLong(3 + i);
          counted[i] = rs.getLong(9 + i);
        }
        UUID id = (UUID) rs.getObject(1);
        out.put(id, new Row(id, rs.getString(2), stored, counted));
      }
    }
    return out;
  }

  /**
   * One full check on a database no process writes to: rows and counts, items twice, finished
   * results lost or replaced since the last check, and acknowledged controls undone.
   */
  Map<UUID, Row> check(Ledger ledger, String when) throws SQLException {
    Map<UUID, Row> rows = rows();
    counts(ledger, rows, when);
    twice(when);
    results(ledger, when);
    controls(ledger, rows, when);
    return rows;
  }

  private void counts(Ledger ledger, Map<UUID, Row> rows, String when) {
    for (Map.Entry<UUID, Integer> e : ledger.created().entrySet()) {
      Row r = rows.get(e.getKey());
      if (r == null) {
        findings.add(
            "lost",
            "batch " + e.getKey(),
            when + ": acknowledged batch " + e.getKey() + " is gone");
      } else if (r.rows() < e.getValue()) {
        findings.add(
            "lost",
            "rows " + e.getKey(),
            when + ": batch " + e.getKey() + " has " + r.rows() + " item rows of " + e.getValue());
      }
    }
    for (Row r : rows.values()) {
      if (!r.consistent()) {
        findings.add(
            "inconsistent",
            r.id().toString(),
            when + ": batch " + r.id() + " (" + r.status() + ") " + r.describe());
      }
    }
  }

  private void twice(String when) throws SQLException {
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(TWICE)) {
      while (rs.next()) {
        findings.add(
            "duplicated",
            rs.getObject(1) + "/" + rs.getString(2),
            when
                + ": item "
                + rs.getString(2)
                + " of "
                + rs.getObject(1)
                + " has "
                + rs.getLong(3)
                + " rows");
      }
    }
  }

  private void results(Ledger ledger, String when) throws SQLException {
    Map<UUID, Map<Integer, Mark>> now = new HashMap<>();
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement()) {
      st.setFetchSize(10_000);
      c.setAutoCommit(false);
      try (ResultSet rs = st.executeQuery(FINISHED)) {
        while (rs.next()) {
          UUID batch = (UUID) rs.getObject(1);
          now.computeIfAbsent(batch, k -> new HashMap<>())
              .put(
                  rs.getInt(2),
                  new Mark(
                      rs.getString(3), rs.getInt(4), rs.getLong(5), ledger.retriesSent(batch)));
        }
      }
      c.commit();
    }
    for (Map.Entry<UUID, Map<Integer, Mark>> b : marks.entrySet()) {
      Map<Integer, Mark> current = now.getOrDefault(b.getKey(), Map.of());
      int retries = ledger.retriesSent(b.getKey());
      for (Map.Entry<Integer, Mark> e : b.getValue().entrySet()) {
        compare(b.getKey(), e.getKey(), e.getValue(), current.get(e.getKey()), retries, when);
      }
    }
    marks.clear();
    marks.putAll(now);
  }

  private void compare(UUID batch, int seq, Mark before, Mark after, int retries, String when) {
    String item = batch + "/" + seq;
    String was = before.status() + " (round " + before.round() + ")";
    boolean reopened = before.status().equals("failed") && retries > before.retriesSeen();
    if (reopened) {
      return;
    }
    if (after == null) {
      String kind = before.status().equals("succeeded") ? "lost" : "duplicated";
      findings.add(
          kind,
          item,
          when
              + ": item seq "
              + seq
              + " of "
              + batch
              + " was "
              + was
              + " and is no longer finished");
    } else if (!after.status().equals(before.status())
        || after.hash() != before.hash()
        || after.round() != before.round()) {
      findings.add(
          "duplicated",
          item,
          when
              + ": item seq "
              + seq
              + " of "
              + batch
              + " was "
              + was
              + ", now "
              + after.status()
              + " (round "
              + after.round()
              + ") with another result");
    }
  }

  private void controls(Ledger ledger, Map<UUID, Row> rows, String when) {
    Set<UUID> ids = ledger.created().keySet();
    for (UUID id : ids) {
      Row r = rows.get(id);
      ledger
          .binding(id)
          .filter(b -> r != null && !b.allowed().contains(r.status()))
          .ifPresent(
              b ->
                  findings.add(
                      "undone",
                      b.key(),
                      when
                          + ": acknowledged "
                          + b.control().command()
                          + " of "
                          + id
                          + " (cycle "
                          + b.control().cycle()
                          + ") but the database says "
                          + (r == null ? "?" : r.status())));
    }
  }
}
