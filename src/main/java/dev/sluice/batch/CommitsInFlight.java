package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The commits a runner has sent and not yet seen answered: one, or two groups of results sent back
 * to back on one pooled connection held meanwhile, which PostgreSQL applies in the order sent
 * (docs/decisions.md, "Two groups of results in flight"). Used on the runner's context only.
 */
final class CommitsInFlight {

  private final UUID batchId;
  private final Supplier<BatchWrites> writes;
  private final MarkGroups marks;
  private int count;
  private long plannedVersion;
  private @Nullable Future<SqlConnection> lane;

  CommitsInFlight(UUID batchId, Supplier<BatchWrites> writes, MarkGroups marks) {
    this.batchId = batchId;
    this.writes = writes;
    this.marks = marks;
  }

  /**
   * A commit that only stores results and marks — no control, transition or effect, and the status
   * it leaves is {@code before} — which may go on the held connection.
   */
  static boolean plain(CommitPlanner.Plan plan, BatchStatus before) {
    Commit c = plan.commit();
    return plan.decisions().isEmpty()
        && c.transitions().isEmpty()
        && c.effects().isEmpty()
        && !plan.moves()
        && plan.next().status() == before;
  }

  /** How many commits are in flight. */
  int count() {
    return count;
  }

  /**
   * Whether a commit may be sent while the one in flight is: that one went on the held connection
   * and is the only one. The runner sends it only when a full group of results waits and nothing
   * else does (no control, fault, spent budget or end). The two go on the same connection, so
   * PostgreSQL applies them in order and the second's revision guard holds; the database works on
   * one group while the runner plans the next (docs/decisions.md, "Two groups of results in
   * flight").
   */
  boolean mayFollow() {
    return count == 1 && lane != null;
  }

  /** The revision the next commit follows: the stored one, or that of the commit in flight. */
  long previousVersion(long storedVersion) {
    return count == 0 ? storedVersion : plannedVersion;
  }

  /**
   * Sends a commit: one that only marks items in progress, with those of other batches ({@link
   * MarkGroups}); one that only stores results and marks ({@code plain}) on the held connection,
   * taken now if none is held; any other through the pool.
   */
  Future<Boolean> send(CommitPlanner.Plan plan, boolean plain) {
    count++;
    plannedVersion = plan.next().version();
    Commit commit = plan.commit();
    BatchWrites w = writes.get();
    if (!plain) {
      return w.commit(batchId, commit);
    }
    if (lane == null && MarkGroups.marksOnly(commit)) {
      return marks.commit(batchId, commit);
    }
    Future<SqlConnection> held = lane;
    if (held == null) {
      held = w.lane();
      lane = held;
    }
    return held.compose(c -> w.commitOn(c, batchId, commit));
  }

  /** A commit was answered; once none is left in flight the held connection goes back. */
  void answered() {
    count--;
    if (count == 0 && lane != null) {
      Future<SqlConnection> held = lane;
      lane = null;
      held.onSuccess(SqlConnection::close);
    }
  }
}
