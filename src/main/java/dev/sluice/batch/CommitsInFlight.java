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
  private int count;
  private long plannedVersion;
  private @Nullable Future<SqlConnection> lane;

  CommitsInFlight(UUID batchId, Supplier<BatchWrites> writes) {
    this.batchId = batchId;
    this.writes = writes;
  }

  /** How many commits are in flight. */
  int count() {
    return count;
  }

  /** Whether the one commit in flight went on a held connection, so another may follow it. */
  boolean oneOnLane() {
    return count == 1 && lane != null;
  }

  /** The revision the next commit follows: the stored one, or that of the commit in flight. */
  long previousVersion(long storedVersion) {
    return count == 0 ? storedVersion : plannedVersion;
  }

  /**
   * Sends a commit: one that only stores results and marks ({@code plain}) on the held connection,
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
