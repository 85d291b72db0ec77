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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An answered item frees its concurrency slot at once; its result waits in memory for the next
 * group commit and only counts as finished once stored (docs/architecture.md, "A result"). With a
 * long commit delay, every item of a small batch but the last is generated before the first result
 * is stored, and never more at a time than the batch's concurrency; once the last answer is in,
 * nothing more can join the group and it is stored at once, without waiting for the delay.
 */
class SlotReleaseTest {

  private static final int ITEMS = 24;
  private static final int CONCURRENCY = 2;

  private static final AtomicInteger started = new AtomicInteger();
  private static final AtomicInteger running = new AtomicInteger();
  private static final AtomicInteger mostAtOnce = new AtomicInteger();
  private static final AtomicReference<Runnable> lastAnswer = new AtomicReference<>();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
              "SLUICE_BATCH_COMMIT_MAX_DELAY_MS", "10000", "SLUICE_BATCH_COMMIT_MAX_ITEMS", "1000")
          .generator(SlotReleaseTest::tenMilliseconds);

  private final Api api = fixture.api();

  @Test
  @DisplayName("Slots are free when the answer is in memory; results count once they are stored")
  void slotsFreeBeforeTheCommit() {
    String id = api.createBatch("slots", ITEMS, CONCURRENCY);

    await().atMost(Duration.ofSeconds(2)).until(() -> started.get() == ITEMS && running.get() == 1);
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

    long answered = System.nanoTime();
    lastAnswer.get().run();
    await().atMost(Duration.ofSeconds(15)).until(() -> api.status(id).equals("completed"));
    assertThat(Duration.ofNanos(System.nanoTime() - answered))
        .as("the last answer is stored without waiting out the 10 s commit delay")
        .isLessThan(Duration.ofMillis(2_500));
    assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(ITEMS);
    assertThat(started.get()).as("each item generated once").isEqualTo(ITEMS);
  }

  private static Generator tenMilliseconds(Vertx vertx) {
    return (GenerationRequest request) -> {
      started.incrementAndGet();
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      Promise<Generation> done = Promise.promise();
      Runnable answer =
          () -> {
            running.decrementAndGet();
            done.complete(new Generation("answer " + request.seq(), "stop", 3, 2));
          };
      if (request.seq() == ITEMS) {
        Context context = vertx.getOrCreateContext();
        lastAnswer.set(() -> context.runOnContext(v -> answer.run()));
      } else {
        vertx.setTimer(10, t -> answer.run());
      }
      return done.future();
    };
  }
}
