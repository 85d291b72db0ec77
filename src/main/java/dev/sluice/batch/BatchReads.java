package dev.sluice.batch;

import dev.sluice.db.DatabaseFailures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The reads about batches: for the API (a batch, a list, items, history), for runners (the next
 * pending items) and for the probes and gauges. A read that fails on a pooled connection that
 * turned out closed is tried once more.
 */
public final class BatchReads {

  private static final String[] FINISHED = {"succeeded", "failed"};

  /** How often a read is tried while it meets closed pooled connections. */
  private static final int TRIES = 3;

  private static final String PENDING_COLUMNS =
      "seq, item_id, input, round, attempts, (extract(epoch FROM not_before) * 1000)::bigint AS"
          + " not_before";

  private final Pool pool;

  public BatchReads(Pool pool) {
    this.pool = pool;
  }

  /** The batch with this id if the owner may see it. */
  public Future<Optional<BatchRecord>> find(UUID id, String owner) {
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT "
                        + BatchRows.BATCH_COLUMNS
                        + " FROM batches WHERE id = $1 AND owner = $2")
                .execute(Tuple.of(id, owner))
                .map(
                    rows ->
                        rows.size() == 0
                            ? Optional.empty()
                            : Optional.of(BatchRows.toBatch(rows.iterator().next()))));
  }

  /** The batch with this id, whoever owns it (for Sluice's own actions). */
  public Future<Optional<BatchRecord>> findAny(UUID id) {
    return read(
        () ->
            pool.preparedQuery("SELECT " + BatchRows.BATCH_COLUMNS + " FROM batches WHERE id = $1")
                .execute(Tuple.of(id))
                .map(
                    rows ->
                        rows.size() == 0
                            ? Optional.empty()
                            : Optional.of(BatchRows.toBatch(rows.iterator().next()))));
  }

  /** How many of the owner's batches are running or paused. */
  public Future<Long> liveCount(String owner) {
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT count(*) AS n FROM batches WHERE owner = $1 AND status IN ('running',"
                        + " 'paused')")
                .execute(Tuple.of(owner))
                .map(rows -> rows.iterator().next().getLong("n")));
  }

  /**
   * The owner's batches (every owner's when null), newest first, optionally of one status, after a
   * list position.
   */
  public Future<Page<BatchRecord>> list(
      @Nullable String owner, @Nullable BatchStatus status, int limit, @Nullable ListKey after) {
    // Only the conditions that apply are in the statement: each statement is planned once for
    // every value (Database.pool), and "$3 IS NULL OR ..." would keep its plan from starting the
    // index at the list position.
    List<Object> values = new ArrayList<>();
    StringBuilder where = new StringBuilder(" FROM batches WHERE true");
    if (owner != null) {
      values.add(owner);
      where.append(" AND owner = $").append(values.size());
    }
    if (status != null) {
      values.add(status.wire());
      where.append(" AND status = $").append(values.size());
    }
    if (after != null) {
      values.add(after.createdAt());
      values.add(after.id());
      where.append(" AND (created_at, id) < ($").append(values.size() - 1);
      where.append(", $").append(values.size()).append(')');
    }
    values.add(limit + 1);
    String sql =
        "SELECT "
            + BatchRows.BATCH_COLUMNS
            + where
            + " ORDER BY created_at DESC, id DESC LIMIT $"
            + values.size();
    return read(
        () ->
            pool.preparedQuery(sql)
                .execute(Tuple.from(values))
                .map(rows -> Page.of(BatchRows.all(rows, BatchRows::toBatch), limit)));
  }

  /** A page of a batch's items in sequence order, optionally of one status. */
  public Future<Page<ItemRecord>> items(
      UUID batchId, @Nullable ItemStatus status, int limit, int afterSeq) {
    return itemsIn(batchId, status == null ? null : new String[] {status.wire()}, limit, afterSeq);
  }

  /**
   * A page of the batch's items that succeeded or failed, in sequence order: what the results
   * export writes out.
   */
  Future<Page<ItemRecord>> finishedItems(UUID batchId, int limit, int afterSeq) {
    return itemsIn(batchId, FINISHED, limit, afterSeq);
  }

  private Future<Page<ItemRecord>> itemsIn(
      UUID batchId, String @Nullable [] statuses, int limit, int afterSeq) {
    Tuple args = Tuple.of(batchId, statuses, afterSeq, limit + 1);
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT "
                        + BatchRows.ITEM_COLUMNS
                        + " FROM items WHERE batch_id = $1 AND ($2::text[] IS NULL OR status ="
                        + " ANY($2)) AND seq > $3 ORDER BY seq LIMIT $4")
                .execute(args)
                .map(rows -> Page.of(BatchRows.all(rows, BatchRows::toItem), limit)));
  }

  /** The batch's transition history, oldest first. */
  public Future<List<BatchEvent>> events(UUID batchId) {
    return read(
        () ->
            pool.preparedQuery(
                    "SELECT from_status, to_status, actor, reason, at FROM batch_events WHERE"
                        + " batch_id = $1 ORDER BY id")
                .execute(Tuple.of(batchId))
                .map(rows -> BatchRows.all(rows, BatchRows::toEvent)));
  }

  /**
   * Runs a read, and again while it fails on a pooled connection that turned out to be closed (one
   * left over from before the database restarted), up to {@link #TRIES} times in all. Each retry
   * waits for the event loop's next turn: the pool drops a closed connection once it has handled
   * the close, which may come a turn after the failure it caused, so a retry can still meet it.
   */
  private static <T> Future<T> read(Supplier<Future<T>> query) {
    return read(query, TRIES);
  }

  private static <T> Future<T> read(Supplier<Future<T>> query, int tries) {
    return query
        .get()
        .recover(
            e ->
                tries > 1 && DatabaseFailures.isClosedConnection(e)
                    ? later(() -> read(query, tries - 1))
                    : Future.failedFuture(e));
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

  /**
   * A runner's next window: $1 the batch, the pending items after seq $2 in sequence order, at most
   * $3. Its plan walks the primary key from $2 and stops after $3 pending items (docs/decisions.md,
   * "Items are read along their key, never through a bitmap").
   */
  public static final String PENDING_WINDOW =
      "SELECT "
          + PENDING_COLUMNS
          + " FROM items WHERE batch_id = $1 AND status = 'pending' AND seq > $2"
          + " ORDER BY seq LIMIT $3";

  /** The next pending items after {@code afterSeq}, in sequence order. */
  public Future<List<PendingItem>> pendingWindow(UUID batchId, int afterSeq, int limit) {
    return pool.preparedQuery(PENDING_WINDOW)
        .execute(Tuple.of(batchId, afterSeq, limit))
        .map(rows -> BatchRows.all(rows, BatchReads::toPending));
  }

  /**
   * The first pending items of many batches in one query, up to each batch's own limit, in sequence
   * order: what their runners start from after a recovery, instead of one read per batch.
   */
  Future<Map<UUID, List<PendingItem>>> firstWindows(Map<UUID, Integer> limits) {
    UUID[] ids = limits.keySet().toArray(new UUID[0]);
    Integer[] sizes = new Integer[ids.length];
    for (int i = 0; i < ids.length; i++) {
      sizes[i] = limits.get(ids[i]);
    }
    return pool.preparedQuery(
            "SELECT w.id AS batch_id, p.* FROM unnest($1::uuid[], $2::int[]) AS w(id, n) CROSS"
                + " JOIN LATERAL (SELECT "
                + PENDING_COLUMNS
                + " FROM items WHERE batch_id = w.id AND status = 'pending' ORDER BY seq LIMIT"
                + " w.n) AS p")
        .execute(Tuple.tuple().addValue(ids).addValue(sizes))
        .map(
            rows -> {
              Map<UUID, List<PendingItem>> out = new HashMap<>();
              for (UUID id : ids) {
                out.put(id, new ArrayList<>());
              }
              rows.forEach(
                  r ->
                      out.computeIfAbsent(r.getUUID("batch_id"), k -> new ArrayList<>())
                          .add(toPending(r)));
              return out;
            });
  }

  private static PendingItem toPending(Row r) {
    return new PendingItem(
        r.getInteger("seq"),
        r.getString("item_id"),
        (JsonObject) r.getValue("input"),
        r.getInteger("round"),
        r.getInteger("attempts"),
        r.getLong("not_before"));
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
}
