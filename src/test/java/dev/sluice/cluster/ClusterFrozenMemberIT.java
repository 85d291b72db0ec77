package dev.sluice.cluster;

import static dev.sluice.cluster.ClusterNodes.awaitEnded;
import static dev.sluice.cluster.ClusterRows.byName;
import static dev.sluice.cluster.ClusterRows.watchRescues;
import static dev.sluice.cluster.ClusterRows.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.JarProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Sluice processes (the packaged jar) clustered over Hazelcast, one of them frozen with SIGSTOP
 * past its lease but not yet dropped from the cluster: the batches the other takes from it dispatch
 * on their new owner at once, and every item ends exactly once (docs/decisions.md, "A runner
 * dispatches before its address is known cluster-wide").
 */
class ClusterFrozenMemberIT {

  @RegisterExtension static final ClusterNodes nodes = new ClusterNodes();

  @Test
  @DisplayName(
      "Batches taken from a frozen member dispatch on their new owner while the frozen one is"
          + " still a member, without the runner watch waking them")
  void takeoverWhileFrozenMemberStays() throws Exception {
    ClusterRows rows = nodes.rows();
    // A lease shorter than the time the cluster takes to drop a silent member (at least 5 s): the
    // claims come while the frozen node is still a member, and in a cluster of two every write to
    // the event bus's registrations waits for it until then.
    List<JarProcess> pair =
        nodes.startCluster("stay", 2, Map.of("SLUICE_NODE_LEASE_TTL_MS", "2500"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(pair.get(i % 2).api().createBatch("stay-" + i, 400, 2));
    }
    JarProcess frozen = byName(pair, rows.owner(ids.get(0)));
    JarProcess other = without(pair, frozen).get(0);
    List<String> taken = ids.stream().filter(id -> rows.owner(id).equals(frozen.name())).toList();
    await("the batches are under way")
        .until(() -> taken.stream().allMatch(id -> rows.batchLong(id, "succeeded") > 10));
    long rescues = watchRescues(other);
    frozen.signal("STOP");
    try {
      await("the other node claims the frozen node's batches once their leases run out")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> taken.stream().allMatch(id -> other.name().equals(rows.owner(id))));
      Map<String, Long> done = new HashMap<>();
      taken.forEach(id -> done.put(id, rows.batchLong(id, "succeeded")));
      await("each taken batch makes progress on its new owner while the old one is frozen")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  taken.stream()
                      .allMatch(id -> rows.batchLong(id, "succeeded") > done.get(id) + 5));
      assertThat(watchRescues(other))
          .as("runners the watch had to wake on the new owner; log in " + other.log())
          .isEqualTo(rescues);
    } finally {
      frozen.signal("CONT");
    }
    awaitEnded(other.api(), ids);
    ids.forEach(rows::assertEveryItemEndedOnce);
  }
}
