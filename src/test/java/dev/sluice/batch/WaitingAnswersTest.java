package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.generate.Generation;
import dev.sluice.generate.Generator;
import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.Future;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An answer that waits in memory behind earlier groups of results is stored with its item's result
 * alone, however long it waits: it is never marked in progress first (docs/decisions.md, "In
 * progress is marked for items that stay in flight"). Here every answer arrives the moment its item
 * is dispatched, groups hold five results and an item counts as long in flight after 1 ms, so most
 * answers wait longer than that for their group.
 */
class WaitingAnswersTest {

  private static final int ITEMS = 300;

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
              "SLUICE_BATCH_COMMIT_MAX_ITEMS", "5", "SLUICE_BATCH_COMMIT_MAX_DELAY_MS", "1")
          .generator(vertx -> WaitingAnswersTest.answerAtOnce());

  private final Api api = fixture.api();

  @Test
  @DisplayName("Answers waiting for a later group are written once, with their result")
  void waitingAnswersAreNotMarked() {
    ItemWrites.record(fixture.db());
    String id = api.createBatch("waiting", ITEMS, 64);
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));

    assertThat(
            fixture.db().queryLong("SELECT count(*) FROM item_writes WHERE status = 'in_progress'"))
        .as("items marked in progress")
        .isZero();
    assertThat(fixture.db().queryLong("SELECT count(*) FROM item_writes"))
        .as("writes of items after their insert: one each, its result")
        .isEqualTo(ITEMS);
    assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(ITEMS);
  }

  /** Answers as it is asked: the answer is in memory before the runner does anything else. */
  private static Generator answerAtOnce() {
    return request ->
        Future.succeededFuture(new Generation("answer " + request.seq(), "stop", 3, 2));
  }
}
