package dev.sluice.batch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Live batches per node as {@link Placement} last counted them in the database, plus the batches
 * this node has placed since, so that a burst of creates costs one count every {@code maxAgeNanos}
 * rather than one each. A placement is chosen and recorded in one step, so creates that arrive
 * together each see the others' choices instead of all going to the same node. Requests on several
 * event loops share it: its methods are synchronized and brief.
 */
final class LiveCounts {

  private record Placed(String node, long atNanos) {}

  private final long maxAgeNanos;
  private final List<Placed> since = new ArrayList<>();
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
    return withPlacements(known);
  }

  private Map<String, Long> withPlacements(Map<String, Long> known) {
    Map<String, Long> out = new HashMap<>(known);
    since.forEach(p -> out.merge(p.node(), 1L, Long::sum));
    return out;
  }

  /**
   * A count read from the database, sent at {@code sentNanos}: it replaces an older one, and with
   * it the placements made before it was sent (which it includes, or which are at most a moment too
   * few). Placements made while it was on its way stay added.
   */
  synchronized void counted(Map<String, Long> byNode, long sentNanos) {
    if (counted != null && sentNanos - countedAt < 0) {
      return; // a slower read that was sent before the one already kept
    }
    counted = Map.copyOf(byNode);
    countedAt = sentNanos;
    since.removeIf(p -> p.atNanos() - sentNanos < 0);
  }

  /** This node placed a batch on {@code node} at {@code atNanos}. */
  synchronized void placed(String node, long atNanos) {
    since.add(new Placed(node, atNanos));
  }

  /**
   * Chooses a node with {@code pick} from the count and the placements since, and records the
   * choice — or null, choosing nothing, when there is no count younger than allowed.
   */
  synchronized @Nullable String placeIfFresh(
      long nowNanos, Function<Map<String, Long>, String> pick) {
    Map<String, Long> known = fresh(nowNanos);
    return known == null ? null : place(known, nowNanos, pick);
  }

  /** As {@link #placeIfFresh}, from the latest count however old: just after counting again. */
  synchronized String placeOnLatest(long nowNanos, Function<Map<String, Long>, String> pick) {
    Map<String, Long> known = counted;
    return place(withPlacements(known == null ? Map.of() : known), nowNanos, pick);
  }

  private String place(
      Map<String, Long> known, long nowNanos, Function<Map<String, Long>, String> pick) {
    String node = pick.apply(known);
    placed(node, nowNanos);
    return node;
  }
}
