package dev.sluice.batch;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Live batches per node as {@link Placement} last counted them in the database, plus the batches
 * this node has placed since, so that a burst of creates costs one count every {@code maxAgeNanos}
 * rather than one each. Requests on several event loops share it: its methods are synchronized and
 * brief.
 */
final class LiveCounts {

  private final long maxAgeNanos;
  private final Map<String, Long> placedSince = new HashMap<>();
  private @Nullable Map<String, Long> counted;
  private long countedAt;

  LiveCounts(long maxAgeNanos) {
    this.maxAgeNanos = maxAgeNanos;
  }

  /** The count with this node's placements since added, or null once it is older than allowed. */
  synchronized @Nullable Map<String, Long> fresh(long nowNanos) {
    Map<String, Long> known = counted;
    if (known == null || nowNanos - countedAt > maxAgeNanos) {
      return null;
    }
    Map<String, Long> out = new HashMap<>(known);
    placedSince.forEach((node, n) -> out.merge(node, n, Long::sum));
    return out;
  }

  /**
   * A count read from the database, sent at {@code sentNanos}: it replaces an older one, and with
   * it the placements counted since (which it includes, or which are at most a moment too few).
   */
  synchronized void counted(Map<String, Long> byNode, long sentNanos) {
    if (counted != null && sentNanos - countedAt < 0) {
      return; // a slower read that was sent before the one already kept
    }
    counted = Map.copyOf(byNode);
    countedAt = sentNanos;
    placedSince.clear();
  }

  /** This node has just placed a batch on {@code node}. */
  synchronized void placed(String node) {
    placedSince.merge(node, 1L, Long::sum);
  }
}
