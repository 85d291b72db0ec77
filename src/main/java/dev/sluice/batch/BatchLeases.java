package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The leases of batches: claiming every batch that needs a runner (with a new epoch, which fences
 * any earlier owner) and putting its items in flight back, and renewing this node's leases.
 */
public final class BatchLeases {

  /** The longest a claim waits for a row lock. */
  private static final String LOCK_TIMEOUT = "2s";

  /** Leases renewed or released in one statement. */
  static final int EPOCH_CHUNK = 100;

  private final Pool pool;

  public BatchLeases(Pool pool) {
    this.pool = pool;
  }

  /**
   * Takes over every batch that needs a runner and whose lease is this node's or has run out: a new
   * epoch fences any earlier owner, items that were in progress go back to pending (or to cancelled
   * in a cancelled or expired batch), and the counts are recounted from the items.
   */
  Future<List<BatchRecord>> claimForRecovery(String nodeId, long leaseMillis, @Nullable UUID only) {
    // Two statements rather than "$2 IS NULL OR id = $2": a statement is planned once for every
    // value (Database.pool), and only the one with "id = $2" goes by the primary key.
    String claimable = "(owner_node IS NULL OR owner_node = $1 OR lease_until < now())";
    return only == null
        ? claim(claimable, Tuple.of(nodeId), nodeId, leaseMillis)
        : claim(claimable + " AND id = $2", Tuple.of(nodeId, only), nodeId, leaseMillis);
  }

  /**
   * Takes this node's share of the batches other nodes left behind: released ones (no owner), those
   * whose lease ran out, and those whose owner is not among the live members. Each such batch falls
   * to one live member other than its owner (by a hash of its id), so survivors split the work; the
   * new epoch makes every claim but one match nothing. Without {@code trustMembership} (this node
   * was frozen or cut off a moment ago, and its view of the members may be its own alone) only
   * released batches and run-out leases are taken.
   */
  Future<List<BatchRecord>> adopt(
      String nodeId, long leaseMillis, List<String> live, boolean trustMembership) {
    return claim(
        "owner_node IS DISTINCT FROM $1 AND (owner_node IS NULL OR lease_until < now() OR ($3 AND"
            + " NOT (owner_node = ANY($2::text[])))) AND (array_remove($2::text[], owner_node))[1 +"
            + " mod(abs(hashtext(id::text)), greatest(1, cardinality(array_remove($2::text[],"
            + " owner_node))))] = $1",
        Tuple.of(nodeId, live.toArray(new String[0]), trustMembership),
        nodeId,
        leaseMillis);
  }

  /**
   * Claims the batches that need a runner and match {@code which} (over {@code args}, $1 being the
   * node), in one transaction of two statements: the first locks them and puts their items in
   * flight back, the second takes the lease with a new epoch and recounts — each batch row is
   * rewritten once, however many are claimed. Rows another transaction holds are skipped (claimed
   * on a later try), and no lock is waited for longer than {@link #LOCK_TIMEOUT}: a claim never
   * hangs behind a process frozen in the middle of a write.
   */
  private Future<List<BatchRecord>> claim(
      String which, Tuple args, String nodeId, long leaseMillis) {
    return pool.withTransaction(
        tx ->
            tx.query("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'")
                .execute()
                .compose(set -> tx.preparedQuery(lockAndPutBack(which)).execute(args))
                .compose(
                    rows -> {
                      List<UUID> ids = new ArrayList<>();
                      rows.forEach(r -> ids.add(r.getUUID("id")));
                      if (ids.isEmpty()) {
                        return Future.succeededFuture(List.<BatchRecord>of());
                      }
                      return takeAndRecount(tx, ids.toArray(new UUID[0]), nodeId, leaseMillis);
                    }));
  }

  /**
   * Locks the batches to claim and puts their items in flight back to pending. A cancelled batch
   * keeps its cancel's promise: whatever was in flight or still pending then (a kept item may not
   * have been marked in progress yet) ends cancelled.
   */
  private static String lockAndPutBack(String which) {
    return "WITH c AS (SELECT id, status IN ('cancelled', 'expired') AS ended FROM batches WHERE"
        + " (status IN ('running', 'paused') OR in_progress > 0 OR (status IN ('cancelled',"
        + " 'expired') AND pending > 0)) AND "
        + which
        + " FOR UPDATE SKIP LOCKED), r AS (UPDATE items AS i SET status = CASE WHEN c.ended THEN"
        + " 'cancelled' ELSE 'pending' END, started_at = NULL, not_before = CASE WHEN c.ended THEN"
        + " NULL ELSE i.not_before END, finished_at = CASE WHEN c.ended THEN now() END FROM c WHERE"
        + " i.batch_id = c.id AND (i.status = 'in_progress' OR (c.ended AND i.status ="
        + " 'pending'))) SELECT id FROM c";
  }

  /** Takes the lease of the locked batches with a new epoch, and recounts them from their items. */
  private static Future<List<BatchRecord>> takeAndRecount(
      SqlClient tx, UUID[] ids, String nodeId, long leaseMillis) {
    return tx.preparedQuery(
            "UPDATE batches AS b SET owner_node = $2, lease_until = now() + $3 * interval '1"
                + " millisecond', epoch = b.epoch + 1, pending = c.p, in_progress = 0, succeeded ="
                + " c.s, failed = c.f, cancelled = c.c, version = b.version + 1, updated_at = now()"
                + " FROM (SELECT x.id, count(i.seq) FILTER (WHERE i.status = 'pending') AS p,"
                + " count(i.seq) FILTER (WHERE i.status = 'succeeded') AS s, count(i.seq) FILTER"
                + " (WHERE i.status = 'failed') AS f, count(i.seq) FILTER (WHERE i.status ="
                + " 'cancelled') AS c FROM unnest($1::uuid[]) AS x(id) LEFT JOIN items AS i ON"
                + " i.batch_id = x.id GROUP BY x.id) AS c WHERE b.id = c.id RETURNING "
                + BatchRows.prefixed("b."))
        .execute(Tuple.of(ids, nodeId, leaseMillis))
        .map(
            rows -> {
              List<BatchRecord> out = new ArrayList<>();
              rows.forEach(r -> out.add(BatchRows.toBatch(r)));
              return out;
            });
  }

  /**
   * Extends the leases of the batches this node runs, each only while it still holds the epoch it
   * runs under (a node that lost a batch cannot extend its lease); returns the ids extended.
   */
  Future<Set<UUID>> renewLeases(String nodeId, long leaseMillis, Map<UUID, Long> epochs) {
    return atEpochs(
        "lease_until = now() + $2 * interval '1 millisecond'",
        Tuple.of(nodeId, leaseMillis),
        epochs);
  }

  /** The live batches this node owns (whether or not it runs them). */
  Future<Set<UUID>> owned(String nodeId) {
    return pool.preparedQuery(
            "SELECT id FROM batches WHERE owner_node = $1 AND (status IN ('running', 'paused') OR"
                + " in_progress > 0)")
        .execute(Tuple.of(nodeId))
        .map(BatchLeases::ids);
  }

  /**
   * Gives up the leases of batches this node stops running at the epochs it ran them under: no
   * owner and a lease already over, so any other node claims them at once.
   */
  Future<Set<UUID>> release(String nodeId, Map<UUID, Long> epochs) {
    return atEpochs(
        "owner_node = NULL, lease_until = now() - interval '1 millisecond'",
        Tuple.of(nodeId),
        epochs);
  }

  /**
   * Sets {@code assignments} on the batches this node ({@code $1}) owns, each only at the epoch
   * given for it; the epochs' ids and values follow the {@code args} as two arrays. Returns the ids
   * that matched. The batches are updated {@link #EPOCH_CHUNK} at a time, one statement after the
   * other, so that no statement holds thousands of batch rows locked while their runners wait to
   * commit.
   */
  private Future<Set<UUID>> atEpochs(String assignments, Tuple args, Map<UUID, Long> epochs) {
    List<UUID> ids = new ArrayList<>(epochs.keySet());
    Set<UUID> matched = new HashSet<>();
    String sql =
        "UPDATE batches AS b SET "
            + assignments
            + " FROM unnest($"
            + (args.size() + 1)
            + "::uuid[], $"
            + (args.size() + 2)
            + "::bigint[]) AS l(id, epoch) WHERE b.id = l.id AND b.epoch = l.epoch AND"
            + " b.owner_node = $1 RETURNING b.id";
    Future<Void> done = Future.succeededFuture();
    for (int from = 0; from < ids.size(); from += EPOCH_CHUNK) {
      List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + EPOCH_CHUNK));
      done =
          done.compose(
              v ->
                  pool.preparedQuery(sql)
                      .execute(withEpochs(args, chunk, epochs))
                      .map(rows -> matched.addAll(ids(rows)))
                      .mapEmpty());
    }
    return done.map(matched);
  }

  /** {@code args}, then the chunk's ids and the epochs held for them, as two arrays. */
  private static Tuple withEpochs(Tuple args, List<UUID> chunk, Map<UUID, Long> epochs) {
    Tuple out = Tuple.tuple();
    for (int i = 0; i < args.size(); i++) {
      out.addValue(args.getValue(i));
    }
    Long[] held = new Long[chunk.size()];
    for (int i = 0; i < held.length; i++) {
      held[i] = epochs.get(chunk.get(i));
    }
    return out.addValue(chunk.toArray(new UUID[0])).addValue(held);
  }

  /** The batch, if this node owns it now and it needs a runner. */
  Future<List<BatchRecord>> ownedBatch(String nodeId, UUID id) {
    return pool.preparedQuery(
            "SELECT "
                + BatchRows.BATCH_COLUMNS
                + " FROM batches WHERE id = $1 AND owner_node = $2 AND (status IN ('running',"
                + " 'paused') OR in_progress > 0)")
        .execute(Tuple.of(id, nodeId))
        .map(
            rows -> {
              List<BatchRecord> out = new ArrayList<>();
              rows.forEach(r -> out.add(BatchRows.toBatch(r)));
              return out;
            });
  }

  /** How many running or paused batches each node owns. */
  Future<Map<String, Long>> liveByOwner() {
    return pool.query(
            "SELECT owner_node, count(*) AS n FROM batches WHERE status IN ('running', 'paused') AND"
                + " owner_node IS NOT NULL GROUP BY owner_node")
        .execute()
        .map(
            rows -> {
              Map<String, Long> out = new HashMap<>();
              rows.forEach(r -> out.put(r.getString("owner_node"), r.getLong("n")));
              return out;
            });
  }

  private static Set<UUID> ids(RowSet<Row> rows) {
    Set<UUID> out = new HashSet<>();
    rows.forEach(r -> out.add(r.getUUID("id")));
    return out;
  }
}
