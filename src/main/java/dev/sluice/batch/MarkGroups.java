package dev.sluice.batch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Writes the node's commits that only mark items in progress — the first commit of each runner a
 * recovery or a takeover starts, and every commit of a batch whose items are still running — for
 * many batches in one statement ({@link BatchWrites#commitMarks}). There is no wait to fill a
 * group: a commit goes out at once when fewer than {@link #IN_FLIGHT} statements are in flight, and
 * otherwise with whatever else queued meanwhile. One runner's commit is then as fast as before, and
 * ten thousand runners starting at once cost a few dozen transactions instead of ten thousand
 * (docs/decisions.md, "Marks of many batches in one statement"). Each batch row keeps its own
 * guard: a fenced batch is left out of the statement's writes and its runner told so. Should a
 * statement fail as a whole, each of its commits is written alone, as a runner writes it, so one
 * batch's trouble never costs the others their runners. Worked on a context of its own.
 */
final class MarkGroups {

  /** Statements in flight at once: a quarter of the runners' default pool. */
  static final int IN_FLIGHT = 4;

  /** Batches in one statement, at most. */
  static final int MAX_BATCHES = 512;

  /** Marks in one statement, at most (a statement takes at least one commit, whatever its size). */
  static final int MAX_MARKS = 16_384;

  private record Queued(UUID batchId, Commit commit, Promise<Boolean> written) {}

  private final Context context;
  private final BatchWrites writes;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private int inFlight;
  private long statements;

  MarkGroups(Vertx vertx, BatchWrites writes) {
    this.context = vertx.getOrCreateContext();
    this.writes = writes;
  }

  /** Whether a commit is one this writes: it only marks items in progress. */
  static boolean marksOnly(Commit c) {
    return c.settled().isEmpty() && c.transitions().isEmpty() && c.effects().isEmpty();
  }

  /**
   * Queues a marks-only commit; completes, on the caller's context, with whether the batch's row
   * matched its guard (false: the batch is owned elsewhere, and nothing of the commit was written).
   */
  Future<Boolean> commit(UUID batchId, Commit commit) {
    if (!marksOnly(commit)) {
      throw new IllegalArgumentException("only a commit that marks items alone goes in a group");
    }
    Context caller = Vertx.currentContext();
    Promise<Boolean> written = Promise.promise();
    Promise<Boolean> answer = Promise.promise();
    written
        .future()
        .onComplete(ar -> (caller == null ? context : caller).runOnContext(v -> answer.handle(ar)));
    context.runOnContext(
        v -> {
          queue.add(new Queued(batchId, commit, written));
          next();
        });
    return answer.future();
  }

  /** Statements sent so far (for tests and the benchmark's notes). */
  long statements() {
    return statements;
  }

  private void next() {
    while (inFlight < IN_FLIGHT && !queue.isEmpty()) {
      List<Queued> group = take();
      inFlight++;
      statements++;
      send(group)
          .onComplete(
              v -> {
                inFlight--;
                next();
              });
    }
  }

  private List<Queued> take() {
    List<Queued> group = new ArrayList<>();
    int marks = 0;
    while (!queue.isEmpty() && group.size() < MAX_BATCHES) {
      int size = queue.peek().commit().started().size();
      if (!group.isEmpty() && marks + size > MAX_MARKS) {
        break;
      }
      group.add(queue.poll());
      marks += size;
    }
    return group;
  }

  private Future<Void> send(List<Queued> group) {
    List<UUID> ids = new ArrayList<>(group.size());
    List<Commit> commits = new ArrayList<>(group.size());
    for (Queued q : group) {
      ids.add(q.batchId());
      commits.add(q.commit());
    }
    return writes
        .commitMarks(ids, commits)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                Set<UUID> written = ar.result();
                group.forEach(q -> q.written().complete(written.contains(q.batchId())));
                return Future.succeededFuture();
              }
              return alone(group);
            });
  }

  /**
   * Each commit of a failed statement written by itself, as its runner would have, one after
   * another on one connection at a time. A commit the failed statement did store after all (its
   * answer was lost) no longer matches its guard, and its runner recovers the batch.
   */
  private Future<Void> alone(List<Queued> group) {
    Future<Void> chain = Future.succeededFuture();
    for (Queued q : group) {
      chain =
          chain.compose(
              v ->
                  writes
                      .commit(q.batchId(), q.commit())
                      .andThen(q.written())
                      .transform(ar -> Future.succeededFuture()));
    }
    return chain;
  }
}
