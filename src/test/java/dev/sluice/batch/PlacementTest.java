package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static final List<String> NODES = List.of("a", "b", "c");

  @Test
  @DisplayName("The receiving node keeps a batch while it has at most one more live batch than any")
  void keepsWhenTheGapIsSmall() {
    assertThat(Placement.pick("a", NODES, Map.of())).isEqualTo("a");
    assertThat(Placement.pick("a", NODES, Map.of("a", 1L))).isEqualTo("a");
    assertThat(Placement.pick("a", NODES, Map.of("a", 3L, "b", 2L, "c", 2L))).isEqualTo("a");
  }

  @Test
  @DisplayName("Otherwise the batch goes to the live node with the fewest live batches")
  void movesToTheLeastLoaded() {
    assertThat(Placement.pick("a", NODES, Map.of("a", 2L))).isEqualTo("b");
    assertThat(Placement.pick("a", NODES, Map.of("a", 5L, "b", 4L, "c", 1L))).isEqualTo("c");
  }

  @Test
  @DisplayName("Counts of nodes that are not live members do not attract batches")
  void ignoresDepartedNodes() {
    assertThat(Placement.pick("a", List.of("a", "b"), Map.of("a", 4L, "b", 3L, "gone", 0L)))
        .isEqualTo("a");
  }
}
