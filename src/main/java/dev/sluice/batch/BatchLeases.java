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
    return claim(
        "(owner_node IS NULL OR owner_node = $1 OR lease_until < now()) AND ($3::uuid IS NULL OR"
            + " id = $3)",
        Tuple.of(nodeId, leaseMillis, only));
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
        "owner_node IS DISTINCT FROM $1 AND (owner_node IS NULL OR lease_until < now() OR ($4 AND"
            + " NOT (owner_node = ANY($3::text[])))) AND (array_remove($3::text[], owner_node))[1 +"
            + " mod(abs(hashtext(id::text)), greatest(1, cardinality(array_remove($3::text[],"
            + " owner_node))))] = $1",
        Tuple.of(nodeId, leaseMillis, live.toArray(new String[0]), trustMembership));
  }

  /**
   * $1 is the node, $2 the lease in milliseconds; {@code which} narrows the batches. Rows another
   * transaction holds are skipped (claimed on a later try), and no lock is waited for longer than
   * {@link #LOCK_TIMEOUT}: a claim never hangs behind a process frozen in the middle of a write.
   */
  private Future<List<BatchRecord>> claim(String which, Tuple args) {
    return pool.withTransaction(
        tx ->
            tx.query("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'")
                .execute()
                .compose(
                    set ->
                        tx.preparedQuery(
                                "UPDATE batches SET owner_node = $1, lease_until = now() + $2 *"
                                    + " interval '1 millisecond', epoch = epoch + 1 WHERE id IN"
                                    + " (SELECT id FROM batches WHERE (status IN ('running',"
                                    + " 'paused') OR in_progress > 0 OR (status IN ('cancelled',"
                                    + " 'expired') AND pending > 0)) AND "
                                    + which
                                    + " FOR UPDATE SKIP LOCKED) RETURNING id")
                            .execute(args))
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
                              "UPDATE items AS i SET status = CASE WHEN b.status IN ('cancelled',"
                                  + " 'expired') THEN 'cancelled' ELSE 'pending' END, started_at ="
                                  + " NULL, not_before = CASE WHEN b.status IN ('cancelled',"
                                  + " 'expired') THEN NULL ELSE i.not_before END, finished_at ="
                                  + " CASE WHEN b.status IN ('cancelled', 'expired') THEN now() END"
                                  + " FROM batches b WHERE b.id = ANY($1::uuid[]) AND i.batch_id ="
                                  + " b.id AND (i.status = 'in_progress' OR (b.status IN"
                                  + " ('cancelled', 'expired') AND i.status = 'pending'))")
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
                + BatchRows.prefixed("b."))
        .execute(Tuple.tuple().addValue(ids))
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
   * that matched.
   */
  private Future<Set<UUID>> atEpochs(String assignments, Tuple args, Map<UUID, Long> epochs) {
    if (epochs.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    UUID[] ids = epochs.keySet().toArray(new UUID[0]);
    Long[] held = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      held[i] = epochs.get(ids[i]);
    }
    int next = args.size() + 1;
    return pool.preparedQuery(
            "UPDATE batches AS b SET "
                + assignments
                + " FROM unnest($"
                + next
                + "::uuid[], $"
                + (next + 1)
                + "::bigint[]) AS l(id, epoch) WHERE b.id = l.id AND b.epoch = l.epoch AND"
                + " b.owner_node = $1 RETURNING b.id")
        .execute(args.addValue(ids).addValue(held))
        .map(BatchLeases::ids);
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
