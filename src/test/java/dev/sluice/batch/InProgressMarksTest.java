package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An item answered within {@code commit-max-delay-ms} of its dispatch is written once, with its
 * result; only an item still in flight after that is marked in progress first. Either way the
 * stored counts match the stored items (docs/decisions.md, "In progress is marked for items that
 * stay in flight").
 */
class InProgressMarksTest {

  private static final int ITEMS = 120;
  private static final int SLOW = 7;

  private static final AtomicReference<Runnable> slowAnswer = new AtomicReference<>();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings("SLUICE_BATCH_COMMIT_MAX_DELAY_MS", "300")
          .generator(InProgressMarksTest::quickButOne);

  private final Api api = fixture.api();

  @Test
  @DisplayName(
      "Quick items are written once, with their result; a slow one is marked in progress; the stored counts always match the items")
  void marksOnlyWhatStaysInFlight() {
    ItemWrites.record(fixture.db());
    String id = api.createBatch("marks", ITEMS, 4);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(countsMatchItems(id)).isTrue();
              assertThat(itemStatus(id, SLOW)).isEqualTo("in_progress");
              assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(ITEMS - 1);
            });
    assertThat(api.counts(id).getInteger("inProgress")).isEqualTo(1);

    slowAnswer.get().run();
    await().atMost(Duration.ofSeconds(15)).until(() -> api.status(id).equals("completed"));

    assertThat(countsMatchItems(id)).isTrue();
    assertThat(writes("status = 'in_progress'"))
        .as("items marked in progress")
        .isEqualTo(String.valueOf(SLOW));
    assertThat(writes("seq <> " + SLOW + " AND status <> 'succeeded'"))
        .as("writes of quick items other than their result")
        .isEmpty();
    assertThat(fixture.db().queryLong("SELECT count(*) FROM item_writes WHERE seq <> " + SLOW + ""))
        .as("one write per quick item")
        .isEqualTo(ITEMS - 1);
  }

  /** The batch row's counts against the items' statuses, read in one statement. */
  private static boolean countsMatchItems(String id) {
    String where = "batch_id = '" + id + "'";
    return fixture
        .db()
        .queryText(
            "SELECT (b.pending, b.in_progress, b.succeeded) = (SELECT count(*) FILTER (WHERE"
                + " status = 'pending'), count(*) FILTER (WHERE status = 'in_progress'), count(*)"
                + " FILTER (WHERE status = 'succeeded') FROM items WHERE "
                + where
                + ") FROM batches AS b WHERE b.id = '"
                + id
                + "'")
        .equals("t");
  }

  private static String itemStatus(String id, int seq) {
    return fixture
        .db()
        .queryText("SELECT status FROM items WHERE batch_id = '" + id + "' AND seq = " + seq + "");
  }

  private static String writes(String where) {
    String seqs =
        fixture
            .db()
            .queryText(
                "SELECT coalesce(string_agg(DISTINCT seq::text, ','), '') FROM item_writes WHERE "
                    + where);
    return seqs == null ? "" : seqs;
  }

  private static Generator quickButOne(Vertx vertx) {
    return (GenerationRequest request) -> {
      Generation answer = new Generation("answer " + request.seq(), "stop", 3, 2);
      Promise<Generation> done = Promise.promise();
      if (request.seq() == SLOW) {
        Context context = vertx.getOrCreateContext();
        slowAnswer.set(() -> context.runOnContext(v -> done.complete(answer)));
      } else {
        // 20 ms each, three at a time: the batch spans several 300 ms commits, each of which
        // finds quick items in flight, too young to be marked.
        vertx.setTimer(20, t -> done.complete(answer));
      }
      return done.future();
    };
  }
}
