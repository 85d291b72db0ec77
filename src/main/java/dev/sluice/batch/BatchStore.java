package dev.sluice.batch;

import io.vertx.sqlclient.Pool;

/**
 * The SQL of batches, split by what it serves: reads, a runner's writes, leases, and the uploaded
 * files batches are made from.
 */
public record BatchStore(
    BatchReads reads, BatchWrites writes, BatchLeases leases, FileStore files) {

  /** All four on one connection pool. */
  public static BatchStore on(Pool pool) {
    return new BatchStore(
        new BatchReads(pool), new BatchWrites(pool), new BatchLeases(pool), new FileStore(pool));
  }
}
