package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.Sluice;
import dev.sluice.app.SluiceConfig;
import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.JarProcess;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Recovery of many live batches (docs/architecture.md, "A recovery"): more batches than the node
 * starts runners for at once ({@link RunnerStarts#STARTING}), so their runners start in groups from
 * first pages read for many batches at once; the node is ready once every batch is claimed, before
 * every runner has started, and a control meanwhile answers 200 or 503 with {@code Retry-After},
 * never 404 or 409.
 */
class ManyBatchesRecoveryTest {

  private static final int SMALL = 600;
  private static final int SMALL_ITEMS = 3;
  private static final int PAUSED = 50;
  private static final int BIG_ITEMS = 1_200;

  /**
   * Each statement that puts items in flight waits half a second in the database, so runners start
   * slowly: their first commits (marks of many batches in one statement, {@link MarkGroups}) go out
   * a few statements at a time, and the newest batch, whose runner starts last, waits seconds for
   * its turn.
   */
  private static final String SLOW_STARTS =
      "CREATE FUNCTION slow_marks() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT"
          + " 1 FROM new_rows n JOIN old_rows o ON n.id = o.id WHERE n.in_progress >"
          + " o.in_progress) THEN PERFORM pg_sleep(0.5); END IF; RETURN NULL; END $$; CREATE"
          + " TRIGGER slow_marks AFTER UPDATE ON batches REFERENCING OLD TABLE AS old_rows NEW"
          + " TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slow_marks()";

  private TestDatabase db;
  private final List<Sluice> started = new ArrayList<>();

  @BeforeEach
  void database() {
    db = TestDatabase.create(ManyBatchesRecoveryTest.class);
  }

  @AfterEach
  void stop() {
    started.forEach(Sluice::close);
    db.close();
  }

  @Test
  @DisplayName(
      "After an abrupt stop, 601 live batches each run again from a new epoch, every item once; readiness comes while runners still start, and controls meanwhile answer 200 or 503, never 404 or 409")
  void manyBatchesRecover() throws Exception {
    int port = JarProcess.freePort();
    Sluice first = start(config(port), new GatedGenerator());
    Api api = new Api(port);
    List<String> small = createAll(api);
    String big = api.createBatch("big", BIG_ITEMS, 4);
    await("every batch dispatches")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> db.queryLong("SELECT count(*) FROM batches WHERE in_progress > 0") == SMALL + 1);
    List<String> pausedBefore = small.subList(0, PAUSED);
    pausedBefore.forEach(id -> assertThat(api.control(id, "pause").status()).isEqualTo(200));
    long epoch = db.queryLong("SELECT max(epoch) FROM batches");
    first.halt();
    started.remove(first);

    db.execute(SLOW_STARTS);
    GatedGenerator gated = new GatedGenerator();
    CompletableFuture<Sluice> restart =
        CompletableFuture.supplyAsync(() -> start(config(port), gated));
    String detail = awaitReady(api);
    assertThat(restart).as("Sluice.start returns once every runner has started").isNotDone();
    assertThat(detail).contains("still starting");
    Api.Reply notUpYet = api.control(big, "pause");
    Map<String, Api.Reply> answers = pauseDuringStart(api, small.subList(PAUSED, SMALL));
    restart.get(2, TimeUnit.MINUTES);
    db.execute("DROP TRIGGER slow_marks ON batches");

    assertThat(notUpYet.status())
        .as("the newest batch's runner starts last: %s", notUpYet.body())
        .isEqualTo(503);
    answeredRightly(notUpYet);
    assertThat(answers.values()).allSatisfy(ManyBatchesRecoveryTest::answeredRightly);
    assertThat(db.queryLong("SELECT count(*) FROM batches WHERE epoch <= " + epoch)).isZero();
    answers.forEach(
        (id, r) -> {
          if (r.status() == 200) {
            assertThat(api.control(id, "resume").status()).isEqualTo(200);
          }
        });
    await("every running batch completes, its items released as they come")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                gated.releaseAll() >= 0
                    && db.queryLong("SELECT count(*) FROM batches WHERE status = 'completed'")
                        == SMALL + 1 - PAUSED);
    assertThat(
            db.queryLong("SELECT count(*) FROM items WHERE status = 'succeeded' AND attempts = 1"))
        .as("every item of the completed batches succeeded at its first counted attempt")
        .isEqualTo((long) (SMALL - PAUSED) * SMALL_ITEMS + BIG_ITEMS);
    assertThat(api.counts(big).getInteger("succeeded")).isEqualTo(BIG_ITEMS);
    for (String id : pausedBefore) {
      assertThat(api.status(id)).isEqualTo("paused");
      assertThat(api.counts(id).getInteger("succeeded")).isZero();
      assertThat(api.counts(id).getInteger("inProgress")).isZero();
    }
  }

  private Sluice start(SluiceConfig config, GatedGenerator generator) {
    Sluice s = Sluice.start(config, v -> generator);
    started.add(s);
    return s;
  }

  private SluiceConfig config(int port) {
    return TestConfig.of(db, "SLUICE_HTTP_PORT", Integer.toString(port));
  }

  private static List<String> createAll(Api api) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (int i = 0; i < SMALL; i++) {
        String name = "small-" + i;
        ids.add(clients.submit(() -> api.createBatch(name, SMALL_ITEMS, 1)));
      }
      List<String> out = new ArrayList<>();
      for (var f : ids) {
        out.add(f.get());
      }
      return out;
    } finally {
      clients.shutdownNow();
    }
  }

  /**
   * Polls readiness until it answers 200 (nothing listens at first); returns the runners' detail.
   */
  private static String awaitReady(Api api) {
    String[] detail = new String[1];
    await("readiness")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .ignoreException(UncheckedIOException.class)
        .until(
            () -> {
              Api.Reply r = api.get("/health/ready");
              if (r.status() != 200) {
                return false;
              }
              detail[0] =
                  r.json().getJsonObject("checks").getJsonObject("runners").getString("detail");
              return true;
            });
    return detail[0];
  }

  /** Pauses each batch (all running before the crash) from four clients at once. */
  private static Map<String, Api.Reply> pauseDuringStart(Api api, List<String> ids)
      throws InterruptedException {
    Map<String, Api.Reply> answers = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Future<Api.Reply>> sent = new ArrayList<>();
      ids.forEach(id -> sent.add(clients.submit(() -> answers.put(id, api.control(id, "pause")))));
      for (var f : sent) {
        f.get(2, TimeUnit.MINUTES);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e);
    } finally {
      clients.shutdownNow();
    }
    assertThat(answers).hasSize(ids.size());
    return answers;
  }

  private static void answeredRightly(Api.Reply r) {
    assertThat(r.status()).as("answer %s", r.body()).isIn(200, 503);
    if (r.status() == 503) {
      assertThat(r.raw().headers().firstValue("Retry-After")).isPresent();
      assertThat(r.contentType()).startsWith("application/problem+json");
    } else {
      assertThat(r.json().getString("status")).isEqualTo("paused");
    }
  }
}
