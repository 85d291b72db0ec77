package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The leases of batches: claiming every batch that needs a runner (with a new epoch, which fences
 * any earlier owner) and putting its items in flight back, and renewing this node's leases.
 */
public final class BatchLeases {

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
    return pool.withTransaction(
        tx ->
            tx.preparedQuery(
                    "UPDATE batches SET owner_node = $1, lease_until = now() + $2 * interval '1"
                        + " millisecond', epoch = epoch + 1 WHERE (status IN ('running', 'paused') OR"
                        + " in_progress > 0 OR (status IN ('cancelled', 'expired') AND pending > 0)) AND"
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

  /** Extends the leases of every live batch this node owns; returns their ids. */
  Future<List<UUID>> renewLeases(String nodeId, long leaseMillis) {
    return pool.preparedQuery(
            "UPDATE batches SET lease_until = now() + $2 * interval '1 millisecond' WHERE"
                + " owner_node = $1 AND (status IN ('running', 'paused') OR in_progress > 0)"
                + " RETURNING id")
        .execute(Tuple.of(nodeId, leaseMillis))
        .map(
            rows -> {
              List<UUID> ids = new ArrayList<>(rows.size());
              rows.forEach(r -> ids.add(r.getUUID("id")));
              return ids;
            });
  }
}
