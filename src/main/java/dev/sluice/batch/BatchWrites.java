package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The writes of batches: a new batch with its items, each commit of a runner (guarded by the
 * batch's fencing epoch and previous revision: a write that matches no row means the runner lost
 * the batch), and the reopening of a finished batch for retry-failed.
 */
public final class BatchWrites {

  private static final int INSERT_CHUNK = 5_000;

  /**
   * Vert.x's plain Jackson codec: {@code JsonObject.encode()} goes through databind's ObjectMapper
   * once jackson-databind is on the class path, which costs a million-item create a second (and a
   * million results' errors as much again).
   */
  static final JacksonCodec JSON = new JacksonCodec();

  private final Pool pool;

  public BatchWrites(Pool pool) {
    this.pool = pool;
  }

  /** Stores a batch, its items and its first history row in one transaction. */
  public Future<Created> create(NewBatch b, String nodeId, long leaseMillis) {
    Future<Created> insert =
        pool.withTransaction(
            tx ->
                tx.preparedQuery(
                        "INSERT INTO batches (id, owner, name, status, config, total, pending,"
                            + " in_progress, succeeded, failed, cancelled, version, owner_node,"
                            + " lease_until, epoch, idempotency_key, request_hash) VALUES ($1, $2,"
                            + " $3, 'running', $4, $5, $5, 0, 0, 0, 0, 1, $6, now() + $7 *"
                            + " interval '1 millisecond', 1, $8, $9) RETURNING "
                            + BatchRows.BATCH_COLUMNS)
                    .execute(
                        Tuple.of(b.id(), b.owner(), b.name(), b.config().toJson(), b.items().size())
                            .addValue(nodeId)
                            .addValue(leaseMillis)
                            .addValue(b.idempotencyKey())
                            .addValue(b.requestHash()))
                    .compose(
                        rows ->
                            insertItems(tx, b.id(), 1, b.items())
                                .map(BatchRows.toBatch(rows.iterator().next())))
                    .compose(
                        created ->
                            events(tx, b.id(), List.of(Transition.created(b.owner())))
                                .map(new Created(created, false, false))));
    if (b.idempotencyKey() == null) {
      return insert;
    }
    return insert.recover(e -> isUniqueViolation(e) ? replay(b) : Future.failedFuture(e));
  }

  /** A new batch whose items will arrive a chunk at a time; see {@link BatchDraft}. */
  BatchDraft draft(UUID id, String owner) {
    return new BatchDraft(this, pool, id, owner);
  }

  /**
   * The batch an earlier request with {@code b}'s idempotency key made, as a replay or conflict.
   */
  Future<Created> replay(NewBatch b) {
    return pool.preparedQuery(
            "SELECT "
                + BatchRows.BATCH_COLUMNS
                + ", request_hash FROM batches WHERE owner = $1 AND idempotency_key = $2")
        .execute(Tuple.of(b.owner(), b.idempotencyKey()))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              boolean same =
                  java.util.Objects.equals(b.requestHash(), row.getString("request_hash"));
              return new Created(BatchRows.toBatch(row), same, !same);
            });
  }

  static boolean isUniqueViolation(Throwable e) {
    return e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
  }

  /** Inserts {@code items} as items {@code firstSeq} onwards, {@value #INSERT_CHUNK} at a time. */
  static Future<Void> insertItems(
      SqlClient tx, UUID batchId, int firstSeq, List<NewBatch.NewItem> items) {
    return insertItems(tx, batchId, firstSeq, items, 0);
  }

  private static Future<Void> insertItems(
      SqlClient tx, UUID batchId, int firstSeq, List<NewBatch.NewItem> items, int from) {
    if (from >= items.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(from + INSERT_CHUNK, items.size());
    Integer[] seqs = new Integer[to - from];
    String[] ids = new String[to - from];
    String[] inputs = new String[to - from];
    for (int i = from; i < to; i++) {
      seqs[i - from] = firstSeq + i;
      ids[i - from] = items.get(i).id();
      inputs[i - from] = JSON.toString(items.get(i).input(), false);
    }
    return tx.preparedQuery(
            "INSERT INTO items (batch_id, seq, item_id, status, input) SELECT $1, s, i,"
                + " 'pending', inp::jsonb FROM unnest($2::int[], $3::text[], $4::text[]) AS u(s,"
                + " i, inp)")
        .execute(Tuple.of(batchId, seqs, ids, inputs))
        .compose(r -> insertItems(tx, batchId, firstSeq, items, to));
  }

  /**
   * Writes one commit of a batch's runtime atomically; succeeds with false, writing nothing, when
   * the epoch or revision no longer match (another owner took the batch).
   */
  Future<Boolean> commit(UUID batchId, Commit c) {
    if (c.effects().isEmpty()) {
      return commitInOneStatement(batchId, c);
    }
    return pool.withTransaction(
            tx ->
                updateBatch(tx, batchId, c)
                    .compose(
                        owned -> {
                          if (!owned) {
                            return Future.failedFuture(new FencedException(batchId));
                          }
                          return markStarted(tx, batchId, c.started())
                              .compose(v -> settle(tx, batchId, c.settled()))
                              .compose(v -> applyEffects(tx, batchId, c.effects(), c.keep()))
                              .compose(v -> events(tx, batchId, c.transitions()))
                              .map(true);
                        }))
        .recover(
            e ->
                e instanceof FencedException
                    ? Future.succeededFuture(false)
                    : Future.failedFuture(e));
  }

  /**
   * A commit without effects on whole sets of items — results, in-progress marks, a pause, a
   * resume, a completion — is one statement: the guarded update, its history rows, the marks and
   * the results together, in one round trip (a single statement is a transaction of its own). The
   * item updates join the guarded update's row, so a fenced commit changes no item. The marked and
   * the settled items are never the same rows (CommitPlanner leaves out of the marks what it
   * settles), as two updates of one row in one statement would not both take effect.
   */
  private Future<Boolean> commitInOneStatement(UUID batchId, Commit c) {
    return commitInOneStatement(pool, batchId, c);
  }

  /**
   * A connection of the pool held for a run of commits of one batch: commits sent on it one after
   * another are pipelined, and PostgreSQL runs them in the order sent, so a commit guarded by the
   * revision the one before it writes may be sent before that one has answered. Closing it gives it
   * back to the pool.
   */
  Future<SqlConnection> lane() {
    return pool.getConnection();
  }

  /**
   * A commit without effects (one statement, as {@link #commit} writes it) sent on a held
   * connection.
   */
  Future<Boolean> commitOn(SqlConnection lane, UUID batchId, Commit c) {
    if (!c.effects().isEmpty()) {
      throw new IllegalArgumentException("only a commit without effects is sent on a lane");
    }
    return commitInOneStatement(lane, batchId, c);
  }

  private static Future<Boolean> commitInOneStatement(SqlClient client, UUID batchId, Commit c) {
    String[][] events = CommitColumns.events(c.transitions());
    Tuple values =
        CommitColumns.batch(batchId, c)
            .addValue(events[0])
            .addValue(events[1])
            .addValue(events[2])
            .addValue(events[3])
            .addValue(c.started().toArray(new Integer[0]));
    return client
        .preparedQuery(ONE_STATEMENT)
        .execute(new CommitColumns.Results(c.settled()).addTo(values))
        .map(rows -> rows.iterator().next().getLong("n") == 1);
  }

  /**
   * Commits that only mark items in progress, of many batches, in one statement (see {@link
   * MarkGroups}); completes with the batches whose rows matched their guard, whose marks are
   * stored. The others' runners lost their batches and wrote nothing.
   */
  Future<Set<UUID>> commitMarks(List<UUID> ids, List<Commit> commits) {
    return pool.preparedQuery(MARKS_OF_MANY)
        .execute(CommitColumns.batches(ids, commits))
        .map(rows -> Set.copyOf(BatchRows.all(rows, r -> r.getUUID("id"))));
  }

  // Items have no index but their primary key (V7), so every update below finds its rows by
  // (batch_id, seq), one probe per item. The status tests are written as NOT IN, which no index on
  // status could serve: an equality once led the planner, on stale statistics, to walk every
  // pending item of the batch through such an index for each commit.
  private static final String MARK_STARTED =
      "UPDATE items AS i SET status = 'in_progress', started_at = now()";
  private static final String NOT_STARTED =
      " AND i.status NOT IN ('in_progress', 'succeeded', 'failed', 'cancelled')";
  private static final String SET_RESULT =
      "UPDATE items AS i SET status = u.status, attempts = u.attempts, output = u.output,"
          + " error = u.error::jsonb, prompt_tokens = u.prompt_tokens,"
          + " completion_tokens = u.completion_tokens, finish_reason = u.finish_reason,"
          + " after_cancel = u.after_cancel,"
          + " not_before = now() + u.delay * interval '1 millisecond',"
          + " started_at = COALESCE(i.started_at, now()),"
          + " finished_at = CASE WHEN u.status = 'pending' THEN NULL ELSE now() END";

  private static final String NOT_FINISHED =
      " AND i.status NOT IN ('succeeded', 'failed', 'cancelled')";

  private static final String ONE_STATEMENT =
      "WITH b AS ("
          + BatchRows.GUARDED_UPDATE
          + " RETURNING id), e AS (INSERT INTO batch_events (batch_id, from_status, to_status,"
          + " actor, reason) SELECT b.id, u.f, u.t, u.a, u.r FROM b, unnest($15::text[],"
          + " $16::text[], $17::text[], $18::text[]) AS u(f, t, a, r)), m AS ("
          + MARK_STARTED
          + " FROM b WHERE i.batch_id = b.id AND i.seq = ANY($19::int[])"
          + NOT_STARTED
          + "), s AS ("
          + SET_RESULT
          + " FROM b, "
          + CommitColumns.Results.unnest(20)
          + " WHERE i.batch_id = b.id AND i.seq = u.seq"
          + NOT_FINISHED
          + ") SELECT count(*) AS n FROM b";

  private static final String MARKS_OF_MANY =
      "WITH b AS ("
          + BatchRows.GUARDED_UPDATES
          + "), m AS ("
          + MARK_STARTED
          + " FROM b, unnest($15::uuid[], $16::int[]) AS s(batch_id, seq) WHERE s.batch_id = b.id"
          + " AND i.batch_id = s.batch_id AND i.seq = s.seq"
          + NOT_STARTED
          + ") SELECT id FROM b";

  private static Future<Boolean> updateBatch(SqlClient tx, UUID batchId, Commit c) {
    return tx.preparedQuery(BatchRows.GUARDED_UPDATE)
        .execute(CommitColumns.batch(batchId, c))
        .map(rows -> rows.rowCount() == 1);
  }

  private static Future<Void> markStarted(SqlClient tx, UUID batchId, List<Integer> started) {
    if (started.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(
            MARK_STARTED + " WHERE i.batch_id = $1 AND i.seq = ANY($2::int[])" + NOT_STARTED)
        .execute(Tuple.of(batchId).addValue(started.toArray(new Integer[0])))
        .mapEmpty();
  }

  /** The results of a commit with effects, in its transaction: $1 the batch, then the columns. */
  private static final String SETTLE =
      SET_RESULT
          + " FROM "
          + CommitColumns.Results.unnest(2)
          + " WHERE i.batch_id = $1 AND i.seq = u.seq"
          + NOT_FINISHED;

  private static Future<Void> settle(SqlClient tx, UUID batchId, List<ItemResult> settled) {
    if (settled.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(SETTLE)
        .execute(new CommitColumns.Results(settled).addTo(Tuple.of(batchId)))
        .mapEmpty();
  }

  private static Future<Void> applyEffects(
      SqlClient tx, UUID batchId, List<Effect> effects, List<Integer> keep) {
    Future<Void> chain = Future.succeededFuture();
    for (Effect effect : effects) {
      chain =
          chain.compose(
              v ->
                  switch (effect) {
                    case CANCEL_PENDING ->
                        tx.preparedQuery(
                                "UPDATE items SET status = 'cancelled', not_before = NULL, finished_at = now()"
                                    + " WHERE batch_id = $1 AND status = 'pending' AND NOT (seq = ANY($2::int[]))")
                            .execute(Tuple.of(batchId).addValue(keep.toArray(new Integer[0])))
                            .mapEmpty();
                    case REQUEUE_FAILED -> requeueFailed(tx, batchId);
                    case LIFT_DEADLINE ->
                        tx.preparedQuery(
                                "UPDATE batches SET config = config - 'deadline' WHERE id = $1")
                            .execute(Tuple.of(batchId))
                            .mapEmpty();
                  });
    }
    return chain;
  }

  private static Future<Void> requeueFailed(SqlClient tx, UUID batchId) {
    return tx.preparedQuery(
            "UPDATE items SET status = 'pending', round = round + 1, attempts = 0, output = NULL, error = NULL,"
                + " usage = NULL, prompt_tokens = NULL, completion_tokens = NULL,"
                + " finish_reason = NULL, not_before = NULL, started_at = NULL, finished_at = NULL"
                + " WHERE batch_id = $1 AND status = 'failed'")
        .execute(Tuple.of(batchId))
        .mapEmpty();
  }

  static Future<Void> events(SqlClient tx, UUID batchId, List<Transition> transitions) {
    if (transitions.isEmpty()) {
      return Future.succeededFuture();
    }
    String[][] columns = CommitColumns.events(transitions);
    return tx.preparedQuery(
            "INSERT INTO batch_events (batch_id, from_status, to_status, actor, reason)"
                + " SELECT $1, f, t, a, r FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(f, t, a, r)")
        .execute(Tuple.of(batchId, columns[0], columns[1], columns[2], columns[3]))
        .mapEmpty();
  }

  /**
   * Reopens a terminal batch for retry-failed: takes the lease for this node with a new epoch, puts
   * failed items back to pending and records the transition, if the revision still matches.
   */
  Future<Optional<BatchRecord>> reopen(
      BatchRecord current, Decision.Accepted accepted, String nodeId, long leaseMillis) {
    BatchSnapshot s = accepted.next();
    Counts n = s.counts();
    return pool.withTransaction(
        tx ->
            tx.preparedQuery(
                    // An expired batch reopened by retry-failed runs its failed items without the
                    // deadline that expired it.
                    "UPDATE batches SET status = $3, status_reason = NULL, pending = $4, failed = $5,"
                        + " config = CASE WHEN status = 'expired' THEN config - 'deadline' ELSE"
                        + " config END, version = $6, owner_node = $7, lease_until = now() + $8 * interval '1"
                        + " millisecond', epoch = epoch + 1, finished_at = NULL, updated_at = now()"
                        + " WHERE id = $1 AND version = $2 RETURNING "
                        + BatchRows.BATCH_COLUMNS)
                .execute(
                    Tuple.of(
                            current.id(),
                            current.version(),
                            s.status().wire(),
                            n.pending(),
                            n.failed(),
                            s.version())
                        .addValue(nodeId)
                        .addValue(leaseMillis))
                .compose(
                    rows -> {
                      if (rows.rowCount() == 0) {
                        return Future.succeededFuture(Optional.<BatchRecord>empty());
                      }
                      BatchRecord reopened = BatchRows.toBatch(rows.iterator().next());
                      return requeueFailed(tx, current.id())
                          .compose(v -> events(tx, current.id(), List.of(accepted.transition())))
                          .map(Optional.of(reopened));
                    }));
  }

  /** The write found another epoch or revision: this runtime no longer owns the batch. */
  static final class FencedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FencedException(UUID batchId) {
      super("batch " + batchId + " is owned elsewhere", null, false, false);
    }
  }
}
