package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Finds the batches of this node that the provider's circuit breaker had paused when the process
 * stopped, so that the new breaker resumes them once the provider answers.
 */
public final class ProviderHolds {

  private final Pool pool;

  public ProviderHolds(Pool pool) {
    this.pool = pool;
  }

  /** The batches this node owns that are paused with reason {@value BreakerActions#UNAVAILABLE}. */
  public Future<Set<UUID>> of(String nodeId) {
    return pool.preparedQuery(
            "SELECT id FROM batches WHERE status = 'paused' AND status_reason = $1"
                + " AND owner_node = $2")
        .execute(Tuple.of(BreakerActions.UNAVAILABLE, nodeId))
        .map(
            rows -> {
              Set<UUID> ids = new HashSet<>();
              rows.forEach(r -> ids.add(r.getUUID("id")));
              return ids;
            });
  }
}
