package dev.sluice.batch;

import io.vertx.sqlclient.Tuple;
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
    private final String[] usage;
    private final Long[] delay;
    private final Boolean[] afterCancel;

    Results(List<ItemResult> settled) {
      int n = settled.size();
      seq = new Integer[n];
      status = new String[n];
      attempts = new Integer[n];
      output = new String[n];
      error = new String[n];
      usage = new String[n];
      delay = new Long[n];
      afterCancel = new Boolean[n];
      for (int i = 0; i < n; i++) {
        ItemResult item = settled.get(i);
        seq[i] = item.seq();
        status[i] = item.status().wire();
        attempts[i] = item.attempts();
        output[i] = item.output();
        error[i] = item.error() == null ? null : BatchWrites.JSON.toString(item.error(), false);
        usage[i] = item.usage() == null ? null : BatchWrites.JSON.toString(item.usage(), false);
        delay[i] = item.retryDelayMillis();
        afterCancel[i] = item.afterCancel();
      }
    }

    /** The eight columns, in the order the updates' unnest reads them. */
    Tuple addTo(Tuple values) {
      return values
          .addValue(seq)
          .addValue(status)
          .addValue(attempts)
          .addValue(output)
          .addValue(error)
          .addValue(usage)
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

  /**
   * The guarded batch update's $1–$14 for many batches, each as an array parameter with one entry
   * per batch (the same values as {@link #batch}, in the same order), then the items to mark in
   * progress as two more: each one's batch and its seq.
   */
  static Tuple batches(List<UUID> ids, List<Commit> commits) {
    int n = ids.size();
    UUID[] id = new UUID[n];
    Long[] epoch = new Long[n];
    Long[] previous = new Long[n];
    String[] status = new String[n];
    String[] reason = new String[n];
    Integer[][] counts = new Integer[5][n];
    Long[] version = new Long[n];
    Boolean[] terminal = new Boolean[n];
    Long[] prompt = new Long[n];
    Long[] completion = new Long[n];
    List<UUID> markBatch = new ArrayList<>();
    List<Integer> markSeq = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Commit c = commits.get(i);
      BatchSnapshot s = c.next();
      Counts k = s.counts();
      id[i] = ids.get(i);
      epoch[i] = c.epoch();
      previous[i] = c.previousVersion();
      status[i] = s.status().wire();
      reason[i] = s.statusReason();
      counts[0][i] = k.pending() + c.unmarked();
      counts[1][i] = k.inProgress() - c.unmarked();
      counts[2][i] = k.succeeded();
      counts[3][i] = k.failed();
      counts[4][i] = k.cancelled();
      version[i] = s.version();
      terminal[i] = s.status().isTerminal();
      prompt[i] = c.usage().promptTokens();
      completion[i] = c.usage().completionTokens();
      for (Integer seq : c.started()) {
        markBatch.add(id[i]);
        markSeq.add(seq);
      }
    }
    Tuple t = Tuple.of(id, epoch, previous, status, reason);
    for (Integer[] column : counts) {
      t.addValue(column);
    }
    return t.addValue(version)
        .addValue(terminal)
        .addValue(prompt)
        .addValue(completion)
        .addValue(markBatch.toArray(new UUID[0]))
        .addValue(markSeq.toArray(new Integer[0]));
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
