package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An answered item frees its concurrency slot at once; its result waits in memory for the next
 * group commit and only counts as finished once stored (docs/architecture.md, "A result"). With a
 * long commit delay, every item of a small batch is generated before the first result is stored,
 * and never more at a time than the batch's concurrency.
 */
class SlotReleaseTest {

  private static final int ITEMS = 24;
  private static final int CONCURRENCY = 2;

  private static final AtomicInteger started = new AtomicInteger();
  private static final AtomicInteger running = new AtomicInteger();
  private static final AtomicInteger mostAtOnce = new AtomicInteger();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
              "SLUICE_BATCH_COMMIT_MAX_DELAY_MS", "3000", "SLUICE_BATCH_COMMIT_MAX_ITEMS", "1000")
          .generator(SlotReleaseTest::tenMilliseconds);

  private final Api api = fixture.api();

  @Test
  @DisplayName("Slots are free when the answer is in memory; results count once they are stored")
  void slotsFreeBeforeTheCommit() {
    String id = api.createBatch("slots", ITEMS, CONCURRENCY);

    await().atMost(Duration.ofSeconds(2)).until(() -> started.get() == ITEMS && running.get() == 0);
    long stored =
        fixture
            .db()
            .queryLong(
                "SELECT count(*) FROM items WHERE batch_id = '"
                    + id
                    + "' AND status IN ('succeeded', 'failed')");
    assertThat(stored).as("no result is stored before the delayed commit").isZero();
    assertThat(api.counts(id).getInteger("succeeded")).isZero();
    assertThat(mostAtOnce.get()).isEqualTo(CONCURRENCY);

    await().atMost(Duration.ofSeconds(15)).until(() -> api.status(id).equals("completed"));
    assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(ITEMS);
    assertThat(started.get()).as("each item generated once").isEqualTo(ITEMS);
  }

  private static Generator tenMilliseconds(Vertx vertx) {
    return (GenerationRequest request) -> {
      started.incrementAndGet();
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      Promise<Generation> done = Promise.promise();
      vertx.setTimer(
          10,
          t -> {
            running.decrementAndGet();
            done.complete(new Generation("answer " + request.seq(), "stop", 3, 2));
          });
      return done.future();
    };
  }
}
