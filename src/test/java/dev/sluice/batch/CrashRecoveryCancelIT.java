package dev.sluice.batch;

import static dev.sluice.batch.CrashNodes.RUN_TIMEOUT;
import static dev.sluice.batch.CrashRows.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.batch.CrashNodes.Node;
import dev.sluice.batch.CrashRows.Item;
import dev.sluice.support.Api;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kills a real Sluice process (the packaged jar) with SIGKILL right after it acknowledged a cancel,
 * and starts it again on the same database: the cancel was stored before it was acknowledged, and
 * recovery finishes it, with no item left pending or in progress and counts that add up
 * (docs/architecture.md §3 and §4).
 */
class CrashRecoveryCancelIT {

  private static final int TOTAL = 3_000;

  @RegisterExtension static final CrashNodes nodes = new CrashNodes();

  @Test
  @DisplayName(
      "A cancel acknowledged just before a SIGKILL is finished by recovery: nothing stays pending or in progress")
  void cancelThenKill() throws Exception {
    CrashRows rows = nodes.rows();
    for (int round = 1; round <= 3; round++) {
      Node node = nodes.start("cancel" + round, Map.of("SLUICE_SIMULATED_LATENCY_MS", "20"));
      String id = node.api().createBatch("cancel-kill-" + round, TOTAL, 50);
      await("the batch is under way")
          .atMost(RUN_TIMEOUT)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> rows.batchLong(id, "succeeded") >= 100);
      Api.Reply cancel = node.api().control(id, "cancel");
      assertThat(cancel.status()).as("cancel answer: %s", cancel.body()).isEqualTo(200);
      nodes.kill(node);
      assertThat(rows.batchText(id, "status"))
          .as("an acknowledged cancel is stored")
          .isEqualTo("cancelled");
      rows.assertStoredCountsMatchItems(id, rows.items(id));

      Node restarted = nodes.start("cancel" + round + "-restart");
      await("recovery finishes the cancel; log in " + restarted.log())
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> count(rows.items(id), "pending") + count(rows.items(id), "in_progress") == 0);
      assertThat(restarted.api().status(id)).isEqualTo("cancelled");
      Map<String, Item> after = rows.items(id);
      assertThat(count(after, "succeeded") + count(after, "failed") + count(after, "cancelled"))
          .isEqualTo(TOTAL);
      rows.assertCountsMatchItems(restarted.api(), id, after);
      nodes.kill(restarted);
    }
  }
}
