package dev.sluice.batch;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What the state machine knows of a batch: its state, its counts, its dispatch limits and its
 * revision, which grows by one with every change.
 */
public record BatchSnapshot(
    UUID id,
    BatchStatus status,
    @Nullable String statusReason,
    Counts counts,
    int concurrency,
    int maxAttempts,
    long version) {

  public BatchSnapshot {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  /** A new batch: running, every item pending, revision 1. */
  public static BatchSnapshot started(UUID id, int total, int concurrency, int maxAttempts) {
    return new BatchSnapshot(
        id, BatchStatus.RUNNING, null, Counts.allPending(total), concurrency, maxAttempts, 1);
  }

  BatchSnapshot withCounts(Counts next) {
    return new BatchSnapshot(id, status, statusReason, next, concurrency, maxAttempts, version + 1);
  }

  BatchSnapshot withStatus(BatchStatus next, @Nullable String reason, Counts nextCounts) {
    return new BatchSnapshot(id, next, reason, nextCounts, concurrency, maxAttempts, version + 1);
  }
}
