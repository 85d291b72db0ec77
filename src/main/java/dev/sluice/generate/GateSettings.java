package dev.sluice.generate;

import java.time.Duration;

/**
 * Limits towards one provider, shared by every batch of a node: requests in flight (adapting
 * between {@code minConcurrency} and {@code maxConcurrency}), requests and tokens per sliding
 * window, and the circuit breaker's trip count and cool-down. A zero limit means none.
 */
public record GateSettings(
    int maxConcurrency,
    int minConcurrency,
    int requestsPerWindow,
    long tokensPerWindow,
    Duration window,
    int breakerFailures,
    Duration breakerCooldown) {

  /** Whether any limit applies; with none, permits are granted at once on the caller's thread. */
  public boolean limited() {
    return maxConcurrency > 0 || requestsPerWindow > 0 || tokensPerWindow > 0;
  }
}
