package dev.sluice.bench;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * What the machine can do without Sluice: the bare SQL work a batch needs per item, on Sluice's own
 * schema in the same PostgreSQL, from the benchmark's JVM — insert the items in chunks of 5,000 in
 * one transaction, then store a result for every item in groups of 1,000, one transaction per group
 * with the batch row's counts (what Sluice's group commits do at {@code commit-max-items}).
 * Sluice's throughput divided by this rate says how close to the machine it runs, on any machine.
 */
final class MachineBaseline {

  private static final int INSERT_CHUNK = 5_000;
  private static final int COMMIT_GROUP = 1_000;
  private static final String OUTPUT =
      "A simulated answer of about the length the simulated generator writes for an exam question.";

  private MachineBaseline() {}

  /** Items per second for {@code items} items, inserted and then stored as succeeded. */
  static double itemsPerSecond(TestDatabase db, int items) throws SQLException {
    Database.open(db.url().toString(), Path.of("target", "bench")).close(); // Sluice's schema
    WriteMeter.checkpoint(db); // as Sluice's run: no checkpoint under way while it is timed
    try (Connection c = Database.connect(db.url())) {
      UUID batch = UUID.randomUUID();
      long start = System.nanoTime();
      c.setAutoCommit(false);
      insertBatch(c, batch, items);
      insertItems(c, batch, items);
      c.commit();
      for (int from = 0; from < items; from += COMMIT_GROUP) {
        storeResults(c, batch, from, Math.min(from + COMMIT_GROUP, items), items);
        c.commit();
      }
      return items / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static void insertBatch(Connection c, UUID batch, int items) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO batches (id, owner, name, status, config, total, pending, in_progress,"
                + " succeeded, failed, cancelled, version) VALUES (?, 'local', 'baseline',"
                + " 'running', '{\"concurrency\": 64}'::jsonb, ?, ?, 0, 0, 0, 0, 1)")) {
      st.setObject(1, batch);
      st.setInt(2, items);
      st.setInt(3, items);
      st.executeUpdate();
    }
  }

  private static void insertItems(Connection c, UUID batch, int items) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO items (batch_id, seq, item_id, status, input) SELECT ?, s, i, 'pending',"
                + " inp::jsonb FROM unnest(?::int[], ?::text[], ?::text[]) AS u(s, i, inp)")) {
      for (int from = 0; from < items; from += INSERT_CHUNK) {
        int to = Math.min(from + INSERT_CHUNK, items);
        Integer[] seqs = new Integer[to - from];
        String[] ids = new String[to - from];
        String[] inputs = new String[to - from];
        for (int i = from; i < to; i++) {
          seqs[i - from] = i + 1;
          ids[i - from] = "q" + (i + 1);
          inputs[i - from] =
              "{\"prompt\": \"Write exam question " + (i + 1) + " about cell biology.\"}";
        }
        st.setObject(1, batch);
        st.setArray(2, c.createArrayOf("int4", seqs));
        st.setArray(3, c.createArrayOf("text", ids));
        st.setArray(4, c.createArrayOf("text", inputs));
        st.executeUpdate();
      }
    }
  }

  private static void storeResults(Connection c, UUID batch, int from, int to, int items)
      throws SQLException {
    Integer[] seqs = new Integer[to - from];
    String[] outputs = new String[to - from];
    Integer[] prompt = new Integer[to - from];
    Integer[] completion = new Integer[to - from];
    String[] finish = new String[to - from];
    for (int i = from; i < to; i++) {
      seqs[i - from] = i + 1;
      outputs[i - from] = OUTPUT;
      prompt[i - from] = 9;
      completion[i - from] = 17;
      finish[i - from] = "stop";
    }
    try (PreparedStatement st =
            c.prepareStatement(
                "UPDATE items AS i SET status = 'succeeded', attempts = 1, output = u.output,"
                    + " prompt_tokens = u.p, completion_tokens = u.c, finish_reason = u.f,"
                    + " started_at = now(), finished_at = now() FROM unnest(?::int[], ?::text[],"
                    + " ?::int[], ?::int[], ?::text[]) AS u(seq, output, p, c, f)"
                    + " WHERE i.batch_id = ? AND i.seq = u.seq");
        PreparedStatement counts =
            c.prepareStatement(
                "UPDATE batches SET pending = ?, succeeded = ?, version = version + 1,"
                    + " updated_at = now() WHERE id = ?")) {
      Array seqArray = c.createArrayOf("int4", seqs);
      st.setArray(1, seqArray);
      st.setArray(2, c.createArrayOf("text", outputs));
      st.setArray(3, c.createArrayOf("int4", prompt));
      st.setArray(4, c.createArrayOf("int4", completion));
      st.setArray(5, c.createArrayOf("text", finish));
      st.setObject(6, batch);
      st.executeUpdate();
      counts.setInt(1, items - to);
      counts.setInt(2, to);
      counts.setObject(3, batch);
      counts.executeUpdate();
    }
  }
}
