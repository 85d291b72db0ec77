package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A new batch whose items arrive a chunk at a time (a large create, read as it arrives). The first
 * chunk opens one transaction with a placeholder batch row that no one else can see; every chunk is
 * inserted in it; {@link Batches#create(BatchDraft, NewBatch)} fills in the batch row and commits,
 * and only then does the batch exist for anyone. {@link #abandon} rolls it all back, so a create
 * that fails half-way — a bad item, a client gone, a database error — stores nothing. A draft that
 * never got a chunk holds nothing, and its batch is stored as a small one is. Steps run in the
 * order they are asked for; once one fails, the rest fail with it (the transaction is aborted).
 *
 * <p>Trade-off: an open draft holds one pooled connection and an open transaction for as long as
 * its request body takes to arrive (bounded by the body timeout).
 */
public final class BatchDraft {

  private static final String CLOSED = "The draft is committed or abandoned.";

  /** How long one step may go unanswered before the draft takes the database for unreachable. */
  static final long STEP_TIMEOUT_MS = 10_000;

  private final BatchWrites writes;
  private final Pool pool;
  private final UUID id;
  private final String owner;
  private @Nullable SqlConnection connection;
  private @Nullable Transaction tx;
  private @Nullable Future<SqlConnection> opening;
  private Future<Void> last = Future.succeededFuture();
  private @Nullable Throwable failure;
  private int added;
  private boolean closed;

  BatchDraft(BatchWrites writes, Pool pool, UUID id, String owner) {
    this.writes = writes;
    this.pool = pool;
    this.id = id;
    this.owner = owner;
  }

  /** The id the batch will have. */
  public UUID id() {
    return id;
  }

  /** How many items have been handed to {@link #add}: they are items 1 to this, in order. */
  public int added() {
    return added;
  }

  /**
   * Stores the next items, numbered on from those before (opening the transaction if need be). They
   * are sent at once, not after the chunk before is stored: the connection runs its statements in
   * order, so the database goes from one chunk to the next without waiting for Sluice in between.
   */
  public Future<Void> add(List<NewBatch.NewItem> items) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException(CLOSED));
    }
    int first = added + 1;
    added += items.size();
    Throwable failed = failure;
    Future<Void> stored =
        failed != null
            ? Future.failedFuture(failed)
            : bounded(open().compose(c -> BatchWrites.insertItems(c, id, first, items)));
    track(stored);
    return stored;
  }

  /**
   * Up to {@code limit} of the items stored so far with a number above {@code afterSeq}, in order,
   * as stored: for checks that can only be made once the whole request has been read.
   */
  public Future<List<NewBatch.NewItem>> readBack(int afterSeq, int limit) {
    if (added == 0) {
      return Future.succeededFuture(List.of());
    }
    return then(
        () ->
            bounded(
                open()
                    .compose(
                        c ->
                            c.preparedQuery(
                                    "SELECT item_id, input FROM items WHERE batch_id = $1 AND seq > $2"
                                        + " ORDER BY seq LIMIT $3")
                                .execute(Tuple.of(id, afterSeq, limit)))
                    .map(
                        rows ->
                            BatchRows.all(
                                rows,
                                r ->
                                    new NewBatch.NewItem(
                                        r.getString("item_id"),
                                        (JsonObject) r.getValue("input"))))));
  }

  /** Rolls back whatever was stored and gives the connection back; nothing of it remains. */
  public Future<Void> abandon() {
    closed = true;
    return last.transform(ar -> close(false)).mapEmpty();
  }

  /**
   * Stores {@code rest}'s items after those added, fills in the batch row from {@code rest} (with
   * this node's lease) and its first history row, and commits; an idempotency key already used by
   * the owner rolls everything back and answers with the earlier batch.
   */
  Future<Created> commit(NewBatch rest, String nodeId, long leaseMillis) {
    int first = added + 1;
    int total = added + rest.items().size();
    Future<Created> created =
        then(
            () ->
                bounded(
                        open()
                            .compose(
                                c -> BatchWrites.insertItems(c, id, first, rest.items()).map(c))
                            .compose(c -> fillIn(c, rest, total, nodeId, leaseMillis)))
                    .compose(batch -> close(true).map(new Created(batch, false, false))));
    closed = true;
    return created.recover(
        e -> {
          Future<Void> undone = close(false);
          return BatchWrites.isUniqueViolation(e) && rest.idempotencyKey() != null
              ? undone.compose(v -> writes.replay(rest))
              : undone.compose(v -> Future.failedFuture(e));
        });
  }

  private Future<BatchRecord> fillIn(
      SqlConnection c, NewBatch b, int total, String nodeId, long leaseMillis) {
    return c.preparedQuery(
            "UPDATE batches SET name = $2, config = $3, total = $4, pending = $4, owner_node = $5,"
                + " lease_until = now() + $6 * interval '1 millisecond', idempotency_key = $7,"
                + " request_hash = $8 WHERE id = $1 RETURNING "
                + BatchRows.BATCH_COLUMNS)
        .execute(
            Tuple.of(id, b.name(), b.config().toJson(), total, nodeId, leaseMillis)
                .addValue(b.idempotencyKey())
                .addValue(b.requestHash()))
        .compose(
            rows -> {
              BatchRecord batch = BatchRows.toBatch(rows.iterator().next());
              return BatchWrites.events(c, id, List.of(Transition.created(owner))).map(batch);
            });
  }

  /**
   * Runs {@code step} once the steps asked for before it are done, unless one of them failed (the
   * transaction is aborted then); nothing may be asked of a committed or abandoned draft.
   */
  private <T> Future<T> then(Supplier<Future<T>> step) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException(CLOSED));
    }
    Future<T> next =
        last.transform(ar -> failure != null ? Future.failedFuture(failure) : step.get());
    track(next);
    return next;
  }

  /** Notes a step asked for: {@link #last} waits for it too, and its failure is remembered. */
  private void track(Future<?> step) {
    last =
        Future.join(last, step)
            .transform(
                ar -> {
                  if (step.failed() && failure == null) {
                    failure = step.cause();
                  }
                  return Future.succeededFuture();
                });
  }

  /** The draft's connection, in its transaction with the placeholder row, opened on first use. */
  private Future<SqlConnection> open() {
    Future<SqlConnection> once = opening;
    if (once == null) {
      once = opening();
      opening = once;
    }
    return once;
  }

  private Future<SqlConnection> opening() {
    return pool.getConnection()
        .compose(
            opened -> {
              connection = opened;
              return opened.begin();
            })
        .compose(
            begun -> {
              tx = begun;
              SqlConnection now = java.util.Objects.requireNonNull(connection);
              return now.preparedQuery(
                      "INSERT INTO batches (id, owner, name, status, config, total, pending,"
                          + " in_progress, succeeded, failed, cancelled, version, epoch) VALUES"
                          + " ($1, $2, '', 'running', '{}', 0, 0, 0, 0, 0, 0, 1, 1)")
                  .execute(Tuple.of(id, owner))
                  .map(now);
            });
  }

  /** Commits (or rolls back) and gives the connection back to the pool. */
  private Future<Void> close(boolean commit) {
    Transaction t = tx;
    SqlConnection c = connection;
    tx = null;
    connection = null;
    Future<Void> ended =
        t == null
            ? Future.succeededFuture()
            : commit ? bounded(t.commit()) : bounded(t.rollback()).otherwiseEmpty();
    return c == null ? ended : ended.eventually(c::close);
  }

  /**
   * The step's outcome, or after {@link #STEP_TIMEOUT_MS} without one a failure that says the
   * database cannot be reached. When the connection breaks while a statement is being written to
   * it, the SQL client can lose that statement and never answer it; without a bound, the create
   * would wait for it, and its client for an answer, for good.
   */
  private static <T> Future<T> bounded(Future<T> step) {
    return step.timeout(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(ofDatabase(e)));
  }

  /**
   * A step's failure as the create's error handler must read it: a step left unanswered is a
   * connection taken for closed; a failure of the database's socket ({@code IOException: Broken
   * pipe} when the connection breaks mid-write) is wrapped so that it is not read as the HTTP
   * client leaving, which would leave the create unanswered. Both say the database cannot be
   * reached, and are answered 503.
   */
  private static Throwable ofDatabase(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return ClosedConnectionException.INSTANCE;
    }
    return failure instanceof IOException ? new DatabaseSocketException(failure) : failure;
  }

  /** An I/O failure of the draft's database connection. */
  static final class DatabaseSocketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DatabaseSocketException(Throwable cause) {
      super("The connection to the database failed: " + cause.getMessage(), cause);
    }
  }
}
