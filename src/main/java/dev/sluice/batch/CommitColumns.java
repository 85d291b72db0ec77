package dev.sluice.batch;

import io.vertx.sqlclient.Tuple;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a runner's commit sends as parameters: the batch row's new state (the counts showing items
 * not yet marked in progress as pending, as their rows say), the history rows and the settled
 * items, each as columns of one array parameter, for {@link BatchWrites}.
 */
final class CommitColumns {

  private CommitColumns() {}

  /** The settled items of a commit as the columns of one array parameter each. */
  static final class Results {
    private final Integer[] seq;
    private final String[] status;
    private final Integer[] attempts;
    private final String[] output;
    private final String[] error;
    private final Integer[] promptTokens;
    private final Integer[] completionTokens;
    private final String[] finishReason;
    private final Long[] delay;
    private final Boolean[] afterCancel;

    Results(List<ItemResult> settled) {
      int n = settled.size();
      seq = new Integer[n];
      status = new String[n];
      attempts = new Integer[n];
      output = new String[n];
      error = new String[n];
      promptTokens = new Integer[n];
      completionTokens = new Integer[n];
      finishReason = new String[n];
      delay = new Long[n];
      afterCancel = new Boolean[n];
      for (int i = 0; i < n; i++) {
        ItemResult item = settled.get(i);
        seq[i] = item.seq();
        status[i] = item.status().wire();
        attempts[i] = item.attempts();
        output[i] = item.output();
        error[i] = item.error() == null ? null : BatchWrites.JSON.toString(item.error(), false);
        ItemUsage usage = item.usage();
        if (usage != null) {
          promptTokens[i] = usage.promptTokens();
          completionTokens[i] = usage.completionTokens();
          finishReason[i] = usage.finishReason();
        }
        delay[i] = item.retryDelayMillis();
        afterCancel[i] = item.afterCancel();
      }
    }

    /**
     * The settled items as rows {@code u}, from the ten array parameters {@link #addTo} adds, the
     * first of them at {@code $first}.
     */
    static String unnest(int first) {
      String[] types = {
        "int", "text", "int", "text", "text", "int", "int", "text", "bigint", "bool"
      };
      StringBuilder sql = new StringBuilder("unnest(");
      for (int i = 0; i < types.length; i++) {
        sql.append(i == 0 ? "" : ", ").append('$').append(first + i).append("::");
        sql.append(types[i]).append("[]");
      }
      return sql.append(
              ") AS u(seq, status, attempts, output, error, prompt_tokens, completion_tokens,"
                  + " finish_reason, delay, after_cancel)")
          .toString();
    }

    /** The ten columns, in the order {@link #unnest} reads them. */
    Tuple addTo(Tuple values) {
      return values
          .addValue(seq)
          .addValue(status)
          .addValue(attempts)
          .addValue(output)
          .addValue(error)
          .addValue(promptTokens)
          .addValue(completionTokens)
          .addValue(finishReason)
          .addValue(delay)
          .addValue(afterCancel);
    }
  }

  /** $1–$14 of the guarded batch update: id, epoch, previous version, then the new state. */
  static Tuple batch(UUID batchId, Commit c) {
    BatchSnapshot s = c.next();
    Counts n = s.counts();
    return Tuple.of(batchId, c.epoch(), c.previousVersion(), s.status().wire(), s.statusReason())
        .addValue(n.pending() + c.unmarked())
        .addValue(n.inProgress() - c.unmarked())
        .addValue(n.succeeded())
        .addValue(n.failed())
        .addValue(n.cancelled())
        .addValue(s.version())
        .addValue(s.status().isTerminal())
        .addValue(c.usage().promptTokens())
        .addValue(c.usage().completionTokens());
  }

  /** The element types of {@link #batch}'s fourteen values, in order: their arrays' types. */
  private static final Class<?>[] BATCH_TYPES = {
    UUID.class, Long.class, Long.class, String.class, String.class, Integer.class, Integer.class,
    Integer.class, Integer.class, Integer.class, Long.class, Boolean.class, Long.class, Long.class
  };

  /**
   * The guarded batch update's $1–$14 for many batches, each as an array parameter with one entry
   * per batch ({@link #batch}'s values, batch by batch), then the items to mark in progress as two
   * more: each one's batch and its seq.
   */
  static Tuple batches(List<UUID> ids, List<Commit> commits) {
    int n = ids.size();
    Object[][] columns = new Object[BATCH_TYPES.length][];
    for (int k = 0; k < columns.length; k++) {
      columns[k] = (Object[]) Array.newInstance(BATCH_TYPES[k], n);
    }
    List<UUID> markBatch = new ArrayList<>();
    List<Integer> markSeq = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Tuple row = batch(ids.get(i), commits.get(i));
      for (int k = 0; k < columns.length; k++) {
        columns[k][i] = row.getValue(k);
      }
      for (Integer seq : commits.get(i).started()) {
        markBatch.add(ids.get(i));
        markSeq.add(seq);
      }
    }
    Tuple t = Tuple.tuple();
    for (Object[] column : columns) {
      t.addValue(column);
    }
    return t.addValue(markBatch.toArray(new UUID[0])).addValue(markSeq.toArray(new Integer[0]));
  }

  static String[][] events(List<Transition> transitions) {
    int n = transitions.size();
    String[][] columns = new String[4][n];
    for (int i = 0; i < n; i++) {
      Transition t = transitions.get(i);
      columns[0][i] = t.fromWire();
      columns[1][i] = t.to().wire();
      columns[2][i] = t.actor();
      columns[3][i] = t.reason();
    }
    return columns;
  }
}
