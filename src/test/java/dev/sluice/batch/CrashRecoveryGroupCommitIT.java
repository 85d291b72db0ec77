package dev.sluice.batch;

import static dev.sluice.batch.CrashNodes.RUN_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.batch.CrashNodes.Node;
import dev.sluice.batch.CrashRows.Item;
import dev.sluice.support.Api;
import dev.sluice.support.OpenAiTestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kills a real Sluice process (the packaged jar) with SIGKILL while the provider's answers wait in
 * memory for their group commit, and starts it again on the same database: an item counts as
 * finished only once the commit that carries its result is stored, so those items run again and
 * each result is stored once (docs/architecture.md §3 and §4).
 */
class CrashRecoveryGroupCommitIT {

  private static final int TOTAL = 40;

  @RegisterExtension static final CrashNodes nodes = new CrashNodes();

  @Test
  @DisplayName(
      "Answers still waiting for their group commit at a SIGKILL run again after the restart, and each result is stored once")
  void answeredButNotStoredThenKill() throws Exception {
    CrashRows rows = nodes.rows();
    try (OpenAiTestServer provider = new OpenAiTestServer()) {
      Map<String, String> viaProvider =
          Map.of(
              "SLUICE_GENERATOR", "openai",
              "SLUICE_OPENAI_BASE_URL", provider.baseUrl(),
              "SLUICE_OPENAI_MODEL", "gpt-test");
      Map<String, String> longDelay = new HashMap<>(viaProvider);
      longDelay.put("SLUICE_BATCH_COMMIT_MAX_DELAY_MS", "10000");
      Node node = nodes.start("answered", longDelay);
      String id = node.api().createBatch(lastItemHangsOnce());
      // Concurrency 4, yet every item reaches the provider before the first group commit (10 s
      // away): an answered item's slot is free before its result is stored.
      await("every item is asked before anything is stored")
          .atMost(Duration.ofSeconds(8))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> provider.calls().size() >= TOTAL);
      assertThat(rows.items(id).values())
          .as("no result is stored before the group commit")
          .allMatch(i -> i.status().equals("pending") && i.output() == null);
      nodes.kill(node);

      Node restarted = nodes.start("answered-restart", viaProvider);
      await("the batch completes after the restart; log in " + restarted.log())
          .atMost(RUN_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> "completed".equals(restarted.api().status(id)));
      Map<String, Item> after = rows.items(id);
      rows.assertEveryItemSucceededOnce(id, after, TOTAL);
      rows.assertCountsMatchItems(restarted.api(), id, after);
      assertThat(provider.calls())
          .as("each item asked once before the crash and once after it")
          .hasSize(2 * TOTAL);
      nodes.kill(restarted);
    }
  }

  /**
   * A batch at concurrency 4 whose last item's first call hangs: with every answer in, the group
   * would be stored at once.
   */
  private static JsonObject lastItemHangsOnce() {
    JsonObject body = Api.batchBody("answered-kill", TOTAL, 4);
    JsonObject last = body.getJsonArray("items").getJsonObject(TOTAL - 1);
    last.put("prompt", last.getString("prompt") + " [hang x1]");
    return body;
  }
}
