package dev.sluice.batch;

import dev.sluice.http.DatabaseFailures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * All SQL about batches, items and their history. Runtime writes carry the batch's fencing epoch
 * and previous revision; a write that matches no row means the caller lost the batch.
 */
public final class BatchRepository {

  private static final int INSERT_CHUNK = 5_000;
  private static final String BATCH_COLUMNS =
      "id, owner, name, status, status_reason, config, total, pending, in_progress, succeeded,"
          + " failed, cancelled, version, epoch, created_at, updated_at, finished_at,"
          + " prompt_tokens, completion_tokens";

  private final Pool pool;

  public BatchRepository(Pool pool) {
    this.pool = pool;
  }

  /** Outcome of storing a new batch: created, or the batch an earlier request with the key made. */
  public record Created(BatchRecord batch, boolean replayed, boolean keyConflict) {}

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
                            + BATCH_COLUMNS)
                    .execute(
                        Tuple.of(b.id(), b.owner(), b.name(), b.config().toJson(), b.items().size())
                            .addValue(nodeId)
                            .addValue(leaseMillis)
                            .addValue(b.idempotencyKey())
                            .addValue(b.requestHash()))
                    .compose(rows -> insertItems(tx, b, 0).map(toBatch(rows.iterator().next())))
                    .compose(
                        created ->
                            events(tx, b.id(), List.of(Transition.created(b.owner())))
                                .map(new Created(created, false, false))));
    if (b.idempotencyKey() == null) {
      return insert;
    }
    return insert.recover(e -> isUniqueViolation(e) ? replay(b) : Future.failedFuture(e));
  }

  private Future<Created> replay(NewBatch b) {
    return pool.preparedQuery(
            "SELECT "
                + BATCH_COLUMNS
                + ", request_hash FROM batches WHERE owner = $1 AND idempotency_key = $2")
        .execute(Tuple.of(b.owner(), b.idempotencyKey()))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              boolean same = b.requestHash().equals(row.getString("request_hash"));
              return new Created(toBatch(row), same, !same);
            });
  }

  private static boolean isUniqueViolation(Throwable e) {
    return e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
  }

  private static Future<Void> insertItems(SqlClient tx, NewBatch b, int from) {
    if (from >= b.items().size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(from + INSERT_CHUNK, b.items().size());
    Integer[] seqs = new Integer[to - from];
    String[] ids = new String[to - from];
    String[] inputs = new String[to - from];
    for (int i = from; i < to; i++) {
      seqs[i - from] = i + 1;
      ids[i - from] = b.items().get(i).id();
      inputs[i - from] = b.items().get(i).input().encode();
    }
    return tx.preparedQuery(
            "INSERT INTO items (batch_id, seq, item_id, status, input) SELECT $1, s, i,"
                + " 'pending', inp::jsonb FROM unnest($2::int[], $3::text[], $4::text[]) AS u(s,"
                + " i, inp)")
        .execute(Tuple.of(b.id(), seqs, ids, inputs))
        .compose(r -> insertItems(tx, b, to));
  }

  /** The batch with this id if the owner may see it. */
  public Future<Optional<BatchRecord>> find(UUID id, String owner) {
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT " + BATCH_COLUMNS + " FROM batches WHERE id = $1 AND owner = $2")
                .execute(Tuple.of(id, owner))
                .map(
                    rows ->
                        rows.size() == 0
                            ? Optional.empty()
                            : Optional.of(toBatch(rows.iterator().next()))));
  }

  /** The batch with this id, whoever owns it (for Sluice's own actions). */
  public Future<Optional<BatchRecord>> findAny(UUID id) {
    return read(
        () ->
            pool.preparedQuery("SELECT " + BATCH_COLUMNS + " FROM batches WHERE id = $1")
                .execute(Tuple.of(id))
                .map(
                    rows ->
                        rows.size() == 0
                            ? Optional.empty()
                            : Optional.of(toBatch(rows.iterator().next()))));
  }

  /** The owner's batches, newest first, optionally of one status. */
  public Future<Page<BatchRecord>> list(
      String owner, @Nullable BatchStatus status, int limit, @Nullable String cursor) {
    OffsetDateTime afterTime = null;
    UUID afterId = null;
    if (cursor != null) {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("/", 2);
      afterTime = OffsetDateTime.parse(parts[0]);
      afterId = UUID.fromString(parts[1]);
    }
    Tuple args =
        Tuple.of(owner, status == null ? null : status.wire(), afterTime, afterId, limit + 1);
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT "
                        + BATCH_COLUMNS
                        + " FROM batches WHERE owner = $1 AND ($2::text IS NULL OR"
                        + " status = $2) AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))"
                        + " ORDER BY created_at DESC, id DESC LIMIT $5")
                .execute(args)
                .map(rows -> batchPage(rows, limit)));
  }

  /** Up to {@code limit} batches of the rows (read with one more), and the cursor after them. */
  private static Page<BatchRecord> batchPage(RowSet<Row> rows, int limit) {
    List<BatchRecord> out = new ArrayList<>();
    rows.forEach(r -> out.add(toBatch(r)));
    String next = null;
    if (out.size() > limit) {
      out.remove(limit);
      BatchRecord last = out.get(limit - 1);
      String raw = last.createdAt().toString() + "/" + last.id();
      next =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }
    return new Page<>(out, next);
  }

  /** Whether a list cursor is one this repository made. */
  public static boolean validListCursor(String cursor) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("/", 2);
      OffsetDateTime.parse(parts[0]);
      UUID.fromString(parts[1]);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A page of a batch's items in sequence order, optionally of one status. */
  public Future<Page<JsonObject>> items(
      UUID batchId, @Nullable ItemStatus status, int limit, int afterSeq) {
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT seq, item_id, status, input, output, error, attempts, usage, after_cancel,"
                        + " started_at, finished_at FROM items WHERE batch_id = $1 AND ($2::text IS NULL OR"
                        + " status = $2) AND seq > $3 ORDER BY seq LIMIT $4")
                .execute(
                    Tuple.of(batchId, status == null ? null : status.wire(), afterSeq, limit + 1))
                .map(rows -> itemPage(rows, limit)));
  }

  /**
   * A page of the batch's items that succeeded or failed, in sequence order: what the results
   * export writes out.
   */
  Future<Page<JsonObject>> finishedItems(UUID batchId, int limit, int afterSeq) {
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT seq, item_id, status, input, output, error, attempts, usage, after_cancel,"
                        + " started_at, finished_at FROM items WHERE batch_id = $1 AND status IN"
                        + " ('succeeded', 'failed') AND seq > $2 ORDER BY seq LIMIT $3")
                .execute(Tuple.of(batchId, afterSeq, limit + 1))
                .map(rows -> itemPage(rows, limit)));
  }

  /** Up to {@code limit} items of the rows (read with one more), and the cursor after them. */
  private static Page<JsonObject> itemPage(RowSet<Row> rows, int limit) {
    List<JsonObject> out = new ArrayList<>();
    rows.forEach(r -> out.add(itemJson(r)));
    String next = null;
    if (out.size() > limit) {
      out.remove(limit);
      next = String.valueOf(out.get(limit - 1).getInteger("seq"));
    }
    return new Page<>(out, next);
  }

  /** The batch's transition history, oldest first. */
  public Future<List<JsonObject>> events(UUID batchId) {
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT from_status, to_status, actor, reason, at FROM batch_events WHERE batch_id = $1 ORDER BY id")
                .execute(Tuple.of(batchId))
                .map(BatchRepository::eventList));
  }

  private static List<JsonObject> eventList(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>();
    rows.forEach(
        r ->
            out.add(
                new JsonObject()
                    .put("from", r.getString("from_status"))
                    .put("to", r.getString("to_status"))
                    .put("actor", r.getString("actor"))
                    .put("reason", r.getString("reason"))
                    .put("at", time(r.getOffsetDateTime("at")))));
    return out;
  }

  /**
   * Runs a read, and once more if it failed on a pooled connection that turned out to be closed
   * (one left over from before the database restarted). The second try waits for the event loop's
   * next turn, by which the pool has dropped the closed connection, so it gets another.
   */
  private static <T> Future<T> read(Supplier<Future<T>> query) {
    return query
        .get()
        .recover(
            e -> DatabaseFailures.isClosedConnection(e) ? later(query) : Future.failedFuture(e));
  }

  private static <T> Future<T> later(Supplier<Future<T>> query) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return query.get();
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> query.get().onComplete(promise));
    return promise.future();
  }

  /** The next pending items after {@code afterSeq}, in sequence order. */
  public Future<List<PendingItem>> pendingWindow(UUID batchId, int afterSeq, int limit) {
    return pool.preparedQuery(
            "SELECT seq, item_id, input, round, attempts, (extract(epoch FROM not_before) * 1000)::bigint"
                + " AS not_before FROM items WHERE batch_id = $1 AND status = 'pending' AND seq > $2"
                + " ORDER BY seq LIMIT $3")
        .execute(Tuple.of(batchId, afterSeq, limit))
        .map(
            rows -> {
              List<PendingItem> out = new ArrayList<>(rows.size());
              rows.forEach(
                  r ->
                      out.add(
                          new PendingItem(
                              r.getInteger("seq"),
                              r.getString("item_id"),
                              (JsonObject) r.getValue("input"),
                              r.getInteger("round"),
                              r.getInteger("attempts"),
                              r.getLong("not_before"))));
              return out;
            });
  }

  /**
   * Writes one commit of a batch's runtime in one transaction; succeeds with false, writing
   * nothing, when the epoch or revision no longer match (another owner took the batch).
   */
  Future<Boolean> commit(UUID batchId, Commit c) {
    if (c.settled().isEmpty() && !hasSqlEffects(c.effects())) {
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

  private static boolean hasSqlEffects(List<Effect> effects) {
    return effects.contains(Effect.CANCEL_PENDING) || effects.contains(Effect.REQUEUE_FAILED);
  }

  /**
   * A commit that only moves the batch (a pause, a resume, a completion) is one statement: the
   * guarded update, its history rows and the marks of items dispatched since the last commit
   * together, in one round trip, which is what a person waiting for a control's answer waits for.
   */
  private Future<Boolean> commitInOneStatement(UUID batchId, Commit c) {
    String[][] events = eventColumns(c.transitions());
    return pool.preparedQuery(
            "WITH b AS (UPDATE batches SET status = $4, status_reason = $5, pending = $6,"
                + " in_progress = $7, succeeded = $8, failed = $9, cancelled = $10, version = $11,"
                + " updated_at = now(), finished_at = CASE WHEN $12 THEN COALESCE(finished_at,"
                + " now()) END, prompt_tokens = prompt_tokens + $13, completion_tokens ="
                + " completion_tokens + $14 WHERE id = $1 AND epoch = $2 AND version = $3 RETURNING"
                + " id), e AS (INSERT INTO batch_events (batch_id, from_status, to_status, actor,"
                + " reason) SELECT b.id, u.f, u.t, u.a, u.r FROM b, unnest($15::text[], $16::text[],"
                + " $17::text[], $18::text[]) AS u(f, t, a, r)), m AS (UPDATE items AS i SET status"
                + " = 'in_progress', started_at = now() FROM b WHERE i.batch_id = b.id AND i.seq ="
                + " ANY($19::int[]) AND i.status NOT IN ('in_progress', 'succeeded', 'failed',"
                + " 'cancelled')) SELECT count(*) AS n FROM b")
        .execute(
            batchValues(batchId, c)
                .addValue(events[0])
                .addValue(events[1])
                .addValue(events[2])
                .addValue(events[3])
                .addValue(c.started().toArray(new Integer[0])))
        .map(rows -> rows.iterator().next().getLong("n") == 1);
  }

  /** $1–$14 of the guarded batch update: id, epoch, previous version, then the new state. */
  private static Tuple batchValues(UUID batchId, Commit c) {
    BatchSnapshot s = c.next();
    Counts n = s.counts();
    return Tuple.of(batchId, c.epoch(), c.previousVersion(), s.status().wire(), s.statusReason())
        .addValue(n.pending())
        .addValue(n.inProgress())
        .addValue(n.succeeded())
        .addValue(n.failed())
        .addValue(n.cancelled())
        .addValue(s.version())
        .addValue(s.status().isTerminal())
        .addValue(c.usage().promptTokens())
        .addValue(c.usage().completionTokens());
  }

  private static String[][] eventColumns(List<Transition> transitions) {
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

  private static Future<Boolean> updateBatch(SqlClient tx, UUID batchId, Commit c) {
    return tx.preparedQuery(
            "UPDATE batches SET status = $4, status_reason = $5, pending = $6, in_progress = $7,"
                + " succeeded = $8, failed = $9, cancelled = $10, version = $11, updated_at = now(),"
                + " finished_at = CASE WHEN $12 THEN COALESCE(finished_at, now()) END,"
                + " prompt_tokens = prompt_tokens + $13, completion_tokens = completion_tokens + $14"
                + " WHERE id = $1 AND epoch = $2 AND version = $3")
        .execute(batchValues(batchId, c))
        .map(rows -> rows.rowCount() == 1);
  }

  // The status tests below are written as NOT IN on purpose: an equality on status would invite
  // the planner (on stale statistics, right after a large batch is inserted) to walk every pending
  // item of the batch through items_by_status for each commit; NOT IN leaves the primary key as the
  // only path, one probe per item.
  private static Future<Void> markStarted(SqlClient tx, UUID batchId, List<Integer> started) {
    if (started.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(
            "UPDATE items SET status = 'in_progress', started_at = now() WHERE batch_id = $1 AND"
                + " seq = ANY($2::int[]) AND status NOT IN ('in_progress', 'succeeded', 'failed',"
                + " 'cancelled')")
        .execute(Tuple.of(batchId).addValue(started.toArray(new Integer[0])))
        .mapEmpty();
  }

  private static Future<Void> settle(SqlClient tx, UUID batchId, List<ItemResult> settled) {
    if (settled.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = settled.size();
    Integer[] seq = new Integer[n];
    String[] status = new String[n];
    Integer[] attempts = new Integer[n];
    String[] output = new String[n];
    String[] error = new String[n];
    String[] usage = new String[n];
    Long[] delay = new Long[n];
    Boolean[] afterCancel = new Boolean[n];
    for (int i = 0; i < n; i++) {
      ItemResult r = settled.get(i);
      seq[i] = r.seq();
      status[i] = r.status().wire();
      attempts[i] = r.attempts();
      output[i] = r.output();
      error[i] = r.error() == null ? null : r.error().encode();
      usage[i] = r.usage() == null ? null : r.usage().encode();
      delay[i] = r.retryDelayMillis();
      afterCancel[i] = r.afterCancel();
    }
    return tx.preparedQuery(
            "UPDATE items AS i SET status = u.status, attempts = u.attempts, output = u.output,"
                + " error = u.error::jsonb, usage = u.usage::jsonb, after_cancel = u.after_cancel,"
                + " not_before = now() + u.delay * interval '1 millisecond',"
                + " started_at = COALESCE(i.started_at, now()),"
                + " finished_at = CASE WHEN u.status = 'pending' THEN NULL ELSE now() END"
                + " FROM unnest($2::int[], $3::text[], $4::int[], $5::text[], $6::text[],"
                + " $7::text[], $8::bigint[], $9::bool[]) AS u(seq, status, attempts, output, error,"
                + " usage, delay, after_cancel)"
                + " WHERE i.batch_id = $1 AND i.seq = u.seq"
                + " AND i.status NOT IN ('succeeded', 'failed', 'cancelled')")
        .execute(
            Tuple.of(batchId, seq, status, attempts, output, error, usage, delay)
                .addValue(afterCancel))
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
                  });
    }
    return chain;
  }

  private static Future<Void> requeueFailed(SqlClient tx, UUID batchId) {
    return tx.preparedQuery(
            "UPDATE items SET status = 'pending', round = round + 1, attempts = 0, output = NULL, error = NULL,"
                + " usage = NULL, not_before = NULL, started_at = NULL, finished_at = NULL"
                + " WHERE batch_id = $1 AND status = 'failed'")
        .execute(Tuple.of(batchId))
        .mapEmpty();
  }

  private static Future<Void> events(SqlClient tx, UUID batchId, List<Transition> transitions) {
    if (transitions.isEmpty()) {
      return Future.succeededFuture();
    }
    String[][] columns = eventColumns(transitions);
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
                    "UPDATE batches SET status = $3, status_reason = NULL, pending = $4, failed = $5,"
                        + " version = $6, owner_node = $7, lease_until = now() + $8 * interval '1"
                        + " millisecond', epoch = epoch + 1, finished_at = NULL, updated_at = now()"
                        + " WHERE id = $1 AND version = $2 RETURNING "
                        + BATCH_COLUMNS)
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
                      BatchRecord reopened = toBatch(rows.iterator().next());
                      return requeueFailed(tx, current.id())
                          .compose(v -> events(tx, current.id(), List.of(accepted.transition())))
                          .map(Optional.of(reopened));
                    }));
  }

  /**
   * Takes over every batch that needs a runner and whose lease is this node's or has run out: a new
   * epoch fences any earlier owner, items that were in progress go back to pending (or to cancelled
   * in a cancelled batch), and the counts are recounted from the items.
   */
  Future<List<BatchRecord>> claimForRecovery(String nodeId, long leaseMillis, @Nullable UUID only) {
    return pool.withTransaction(
        tx ->
            tx.preparedQuery(
                    "UPDATE batches SET owner_node = $1, lease_until = now() + $2 * interval '1"
                        + " millisecond', epoch = epoch + 1 WHERE (status IN ('running', 'paused') OR"
                        + " in_progress > 0 OR (status = 'cancelled' AND pending > 0)) AND"
                        + " (owner_node IS NULL OR owner_node = $1 OR lease_until < now()) AND"
                        + " ($3::uuid IS NULL OR id = $3) RETURNING id")
                .execute(Tuple.of(nodeId, leaseMillis, only))
                .compose(
                    rows -> {
                      List<UUID> ids = new ArrayList<>();
                      rows.forEach(r -> ids.add(r.getUUID("id")));
                      if (ids.isEmpty()) {
                        return Future.succeededFuture(List.<BatchRecord>of());
                      }
                      UUID[] array = ids.toArray(new UUID[0]);
                      return tx.preparedQuery(
                              // A cancelled batch keeps its cancel's promise: whatever was in
                              // flight or still pending then (a kept item may not have been
                              // marked in progress yet) ends cancelled.
                              "UPDATE items AS i SET status = CASE WHEN b.status = 'cancelled' THEN"
                                  + " 'cancelled' ELSE 'pending' END, started_at = NULL, not_before"
                                  + " = CASE WHEN b.status = 'cancelled' THEN NULL ELSE i.not_before"
                                  + " END, finished_at = CASE WHEN b.status = 'cancelled' THEN now()"
                                  + " END FROM batches b WHERE b.id = ANY($1::uuid[]) AND i.batch_id"
                                  + " = b.id AND (i.status = 'in_progress' OR (b.status = 'cancelled'"
                                  + " AND i.status = 'pending'))")
                          .execute(Tuple.tuple().addValue(array))
                          .compose(v -> recount(tx, array));
                    }));
  }

  private static Future<List<BatchRecord>> recount(SqlClient tx, UUID[] ids) {
    return tx.preparedQuery(
            "UPDATE batches AS b SET pending = c.p, in_progress = 0, succeeded = c.s, failed = c.f,"
                + " cancelled = c.c, version = b.version + 1, updated_at = now() FROM (SELECT"
                + " batch_id, count(*) FILTER (WHERE status = 'pending') AS p, count(*) FILTER"
                + " (WHERE status = 'succeeded') AS s, count(*) FILTER (WHERE status = 'failed') AS"
                + " f, count(*) FILTER (WHERE status = 'cancelled') AS c FROM items WHERE batch_id ="
                + " ANY($1::uuid[]) GROUP BY batch_id) AS c WHERE b.id = c.batch_id RETURNING "
                + prefixed("b."))
        .execute(Tuple.tuple().addValue(ids))
        .map(
            rows -> {
              List<BatchRecord> out = new ArrayList<>();
              rows.forEach(r -> out.add(toBatch(r)));
              return out;
            });
  }

  /** Extends the leases of every live batch this node owns; returns their ids. */
  Future<List<UUID>> renewLeases(String nodeId, long leaseMillis) {
    return pool.preparedQuery(
            "UPDATE batches SET lease_until = now() + $2 * interval '1 millisecond' WHERE"
                + " owner_node = $1 AND status IN ('running', 'paused') RETURNING id")
        .execute(Tuple.of(nodeId, leaseMillis))
        .map(
            rows -> {
              List<UUID> ids = new ArrayList<>(rows.size());
              rows.forEach(r -> ids.add(r.getUUID("id")));
              return ids;
            });
  }

  /** Batches by status now, and the longest a running batch has gone without a stored change. */
  public record Census(Map<BatchStatus, Long> byStatus, Duration longestRunningIdle) {}

  /** Counts the stored batches by status (every status, zero included). */
  public Future<Census> census() {
    return pool.query(
            "SELECT status, count(*) AS n,"
                + " EXTRACT(EPOCH FROM now() - min(updated_at))::float8 AS idle"
                + " FROM batches GROUP BY status")
        .execute()
        .map(
            rows -> {
              Map<BatchStatus, Long> byStatus = new EnumMap<>(BatchStatus.class);
              for (BatchStatus status : BatchStatus.values()) {
                byStatus.put(status, 0L);
              }
              Duration idle = Duration.ZERO;
              for (Row r : rows) {
                BatchStatus status = BatchStatus.parse(r.getString("status")).orElseThrow();
                byStatus.put(status, r.getLong("n"));
                if (status == BatchStatus.RUNNING) {
                  idle = Duration.ofMillis(Math.max(0, Math.round(r.getDouble("idle") * 1000)));
                }
              }
              return new Census(byStatus, idle);
            });
  }

  /** Whether the database answers. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private static String prefixed(String prefix) {
    return prefix + BATCH_COLUMNS.replace(", ", ", " + prefix);
  }

  static BatchRecord toBatch(Row r) {
    Counts counts =
        new Counts(
            r.getInteger("total"),
            r.getInteger("pending"),
            r.getInteger("in_progress"),
            r.getInteger("succeeded"),
            r.getInteger("failed"),
            r.getInteger("cancelled"));
    return new BatchRecord(
        r.getUUID("id"),
        r.getString("owner"),
        r.getString("name"),
        BatchStatus.parse(r.getString("status")).orElseThrow(),
        r.getString("status_reason"),
        (JsonObject) r.getValue("config"),
        counts,
        r.getLong("version"),
        r.getLong("epoch"),
        r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("updated_at"),
        r.getOffsetDateTime("finished_at"),
        new TokenUsage(r.getLong("prompt_tokens"), r.getLong("completion_tokens")));
  }

  private static JsonObject itemJson(Row r) {
    JsonObject input = (JsonObject) r.getValue("input");
    return new JsonObject()
        .put("id", r.getString("item_id"))
        .put("seq", r.getInteger("seq"))
        .put("status", r.getString("status"))
        .put("input", input)
        .put("output", r.getString("output"))
        .put("error", r.getValue("error"))
        .put("attempts", r.getInteger("attempts"))
        .put("usage", r.getValue("usage"))
        .put("finishedAfterCancel", r.getBoolean("after_cancel"))
        .put("startedAt", time(r.getOffsetDateTime("started_at")))
        .put("finishedAt", time(r.getOffsetDateTime("finished_at")));
  }

  /** RFC 3339 in UTC, seconds always written (OffsetDateTime.toString drops zero seconds). */
  static @Nullable String time(@Nullable OffsetDateTime t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
  }

  /** The write found another epoch or revision: this runtime no longer owns the batch. */
  static final class FencedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FencedException(UUID batchId) {
      super("batch " + batchId + " is owned elsewhere", null, false, false);
    }
  }
}
