package dev.sluice.batch;

import static dev.sluice.batch.CrashNodes.RUN_TIMEOUT;
import static dev.sluice.batch.CrashRows.assertFinishedResultsKept;
import static dev.sluice.batch.CrashRows.assertHistory;
import static dev.sluice.batch.CrashRows.count;
import static dev.sluice.batch.CrashRows.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.batch.CrashNodes.Node;
import dev.sluice.batch.CrashRows.Item;
import dev.sluice.support.Api;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kills a real Sluice process (the packaged jar) with SIGKILL in the middle of a batch, starts it
 * again on the same database, and checks docs/architecture.md §2 and §4: every item ends exactly
 * once, no finished result is lost or rewritten, the crash costs no attempt, counts add up, the
 * history has one completion, and a paused batch comes back paused.
 */
class CrashRecoveryIT {

  private static final int TOTAL = 600;
  private static final int CONCURRENCY = 16;
  private static final int PAUSED_TOTAL = 20;
  private static final int KILL_AFTER_SUCCEEDED = 2 * CONCURRENCY;

  @RegisterExtension static final CrashNodes nodes = new CrashNodes();

  @Test
  @DisplayName(
      "A SIGKILL mid-batch loses, repeats and rewrites nothing, and a paused batch comes back paused")
  void crashMidBatchAndRestart() throws Exception {
    CrashRows rows = nodes.rows();
    Node first = nodes.start("run1");
    String paused = first.api().createBatch("crash-paused", PAUSED_TOTAL, 1);
    Api.Reply pause = first.api().control(paused, "pause");
    assertThat(pause.status()).as("pause answer: %s", pause.body()).isEqualTo(200);
    assertThat(pause.json().getString("status")).isEqualTo("paused");
    String main = first.api().createBatch("crash-main", TOTAL, CONCURRENCY);

    await("some items of the main batch succeed")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> rows.batchLong(main, "succeeded") >= KILL_AFTER_SUCCEEDED);
    nodes.kill(first);

    Map<String, Item> mainBefore = rows.items(main);
    Map<String, Item> pausedBefore = rows.items(paused);
    assertCrashCameMidBatch(main, mainBefore, paused, pausedBefore);

    Node second = nodes.start("run2");
    assertThat(second.api().status(paused))
        .as("a paused batch comes back paused")
        .isEqualTo("paused");
    assertThat(second.api().status(main))
        .as("a running batch comes back running")
        .isIn("running", "completed");
    await("the main batch completes after the restart; log in " + second.log())
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "completed".equals(second.api().status(main)));

    Map<String, Item> mainAfter = rows.items(main);
    rows.assertEveryItemSucceededOnce(main, mainAfter, TOTAL);
    assertFinishedResultsKept(mainBefore, mainAfter);
    rows.assertCountsMatchItems(second.api(), main, mainAfter);
    assertHistory(second.api(), main, List.of("created>running", "running>completed"));

    assertStayedPaused(second.api(), paused, pausedBefore);
    assertResumedBatchCompletes(second.api(), paused, pausedBefore);
  }

  /** The main batch was running, with items done and items in progress; the paused one paused. */
  private static void assertCrashCameMidBatch(
      String main, Map<String, Item> mainBefore, String paused, Map<String, Item> pausedBefore) {
    CrashRows rows = nodes.rows();
    long inFlightAtCrash = count(mainBefore, "in_progress");
    long succeededAtCrash = count(mainBefore, "succeeded");
    System.out.printf(
        "At the crash: %d of %d succeeded, %d in progress%n",
        succeededAtCrash, TOTAL, inFlightAtCrash);
    assertThat(rows.batchText(main, "status")).isEqualTo("running");
    assertThat(succeededAtCrash)
        .as("the crash came mid-batch")
        .isBetween((long) KILL_AFTER_SUCCEEDED, TOTAL / 2L);
    assertThat(inFlightAtCrash).as("items were in progress when the process died").isPositive();
    assertThat(rows.batchText(paused, "status")).isEqualTo("paused");
    assertThat(count(pausedBefore, "succeeded")).isLessThan(PAUSED_TOTAL);
  }

  /** Nothing was dispatched while the batch was paused, before or after the restart. */
  private static void assertStayedPaused(Api api, String batchId, Map<String, Item> before) {
    CrashRows rows = nodes.rows();
    Map<String, Item> now = rows.items(batchId);
    assertThat(count(now, "in_progress")).as("in-progress items went back to pending").isZero();
    assertThat(succeeded(now)).as("no item ran while paused").isEqualTo(succeeded(before));
    assertThat(count(now, "pending")).isEqualTo(PAUSED_TOTAL - count(before, "succeeded"));
    assertFinishedResultsKept(before, now);
    rows.assertCountsMatchItems(api, batchId, now);
    assertHistory(api, batchId, List.of("created>running", "running>paused"));
  }

  /** Resumed after the restart, the paused batch completes like any other. */
  private static void assertResumedBatchCompletes(
      Api api, String batchId, Map<String, Item> before) {
    CrashRows rows = nodes.rows();
    Api.Reply resume = api.control(batchId, "resume");
    assertThat(resume.status()).as("resume answer: %s", resume.body()).isEqualTo(200);
    await("the resumed batch completes")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "completed".equals(api.status(batchId)));
    Map<String, Item> after = rows.items(batchId);
    rows.assertEveryItemSucceededOnce(batchId, after, PAUSED_TOTAL);
    assertFinishedResultsKept(before, after);
    rows.assertCountsMatchItems(api, batchId, after);
    assertHistory(
        api,
        batchId,
        List.of("created>running", "running>paused", "paused>running", "running>completed"));
  }
}
