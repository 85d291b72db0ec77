package dev.sluice.batch;

import io.vertx.sqlclient.Pool;

/** The SQL of batches, split by what it serves: reads, a runner's writes, leases. */
public record BatchStore(BatchReads reads, BatchWrites writes, BatchLeases leases) {

  /** All three on one connection pool. */
  public static BatchStore on(Pool pool) {
    return new BatchStore(new BatchReads(pool), new BatchWrites(pool), new BatchLeases(pool));
  }
}
