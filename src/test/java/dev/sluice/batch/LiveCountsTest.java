package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A count of live batches per node serves placements for a while, with this node's own")
class LiveCountsTest {

  private static final long MAX_AGE = 250;

  @Test
  @DisplayName(
      "Nothing is known before the first count, and a count older than allowed is not used")
  void freshOnlyWithinItsAge() {
    LiveCounts counts = new LiveCounts(MAX_AGE);
    assertThat(counts.fresh(0)).isNull();
    counts.counted(Map.of("a", 2L), 1_000);
    assertThat(counts.fresh(1_000 + MAX_AGE)).containsExactlyEntriesOf(Map.of("a", 2L));
    assertThat(counts.fresh(1_000 + MAX_AGE + 1)).isNull();
  }

  @Test
  @DisplayName("Batches placed since the count are added to it, until the next count replaces them")
  void addsOwnPlacementsUntilTheNextCount() {
    LiveCounts counts = new LiveCounts(MAX_AGE);
    counts.counted(Map.of("a", 2L, "b", 2L), 1_000);
    counts.placed("b", 1_010);
    counts.placed("c", 1_020);
    counts.placed("b", 1_030);
    assertThat(counts.fresh(1_100)).isEqualTo(Map.of("a", 2L, "b", 4L, "c", 1L));
    counts.counted(Map.of("a", 3L, "b", 4L, "c", 1L), 1_200);
    assertThat(counts.fresh(1_300)).isEqualTo(Map.of("a", 3L, "b", 4L, "c", 1L));
  }

  @Test
  @DisplayName("A slow count sent before the kept one does not replace it")
  void keepsTheLaterCount() {
    LiveCounts counts = new LiveCounts(MAX_AGE);
    counts.counted(Map.of("a", 5L), 2_000);
    counts.placed("a", 2_050);
    counts.counted(Map.of("a", 1L), 1_500);
    assertThat(counts.fresh(2_100)).isEqualTo(Map.of("a", 6L));
  }

  @Test
  @DisplayName(
      "With the counts it serves, a burst of placements from one node spreads over the nodes")
  void aBurstSpreads() {
    LiveCounts counts = new LiveCounts(MAX_AGE);
    counts.counted(Map.of(), 0);
    Map<String, Long> placed = new HashMap<>();
    for (int i = 0; i < 9; i++) {
      String node = counts.placeIfFresh(10, c -> Placement.pick("a", List.of("a", "b", "c"), c));
      placed.merge(node, 1L, Long::sum);
    }
    assertThat(placed).containsOnlyKeys("a", "b", "c");
    assertThat(Collections.max(placed.values()) - Collections.min(placed.values()))
        .as("no node gets more than the gap the receiving node may keep, and one more")
        .isLessThanOrEqualTo(Placement.GAP + 1);
  }

  @Test
  @DisplayName(
      "Creates that all found the count stale each see the others' choices, whichever count is kept")
  void aBurstAtAStaleMomentSpreads() {
    LiveCounts counts = new LiveCounts(MAX_AGE);
    List<String> nodes = List.of("a", "b", "c");
    assertThat(counts.placeIfFresh(1_000, c -> Placement.pick("a", nodes, c))).isNull();
    Map<String, Long> placed = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      // Every one of them sent its count at 1,000 and found the receiving node a the busiest.
      counts.counted(Map.of("a", 5L), 1_000);
      String node = counts.placeOnLatest(1_100 + i, c -> Placement.pick("a", nodes, c));
      placed.merge(node, 1L, Long::sum);
    }
    assertThat(placed)
        .as("the six go to the two idle nodes in turn, not all to the first of them")
        .isEqualTo(Map.of("b", 3L, "c", 3L));
    assertThat(counts.fresh(1_200))
        .as("the placements made after the counts were sent stay added to them")
        .isEqualTo(Map.of("a", 5L, "b", 3L, "c", 3L));
  }
}
