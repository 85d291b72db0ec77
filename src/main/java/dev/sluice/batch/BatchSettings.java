package dev.sluice.batch;

import dev.sluice.generate.SchemaLimits;
import java.time.Duration;

/**
 * How batches run on this node: defaults for new batches, paging and group-commit sizes, retry
 * backoff, the node's name and lease length, the model of batches that name none, and how large and
 * deep a batch's output schema may be.
 */
public record BatchSettings(
    int defaultConcurrency,
    int maxConcurrency,
    int defaultMaxAttempts,
    int window,
    int commitMaxItems,
    Duration commitMaxDelay,
    RetryPolicy retryPolicy,
    String nodeId,
    Duration leaseTtl,
    String defaultModel,
    SchemaLimits outputSchemaLimits) {

  /** The same settings under another node id (one a cluster already had got a suffix). */
  public BatchSettings withNodeId(String id) {
    return new BatchSettings(
        defaultConcurrency,
        maxConcurrency,
        defaultMaxAttempts,
        window,
        commitMaxItems,
        commitMaxDelay,
        retryPolicy,
        id,
        leaseTtl,
        defaultModel,
        outputSchemaLimits);
  }
}
