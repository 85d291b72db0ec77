package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A pause or resume that reaches a runner while it writes a group of results is sent on the same
 * connection right behind that group, guarded by the revision the group writes, instead of waiting
 * for its answer (docs/decisions.md, "Controls follow a group of results"). At zero latency with
 * groups of 50 a runner is writing nearly all the time, so most controls meet a commit in flight:
 * were one applied before the group it follows, its guard would match nothing, the runner would
 * stop and recovery would claim the batch under a new epoch.
 */
class ControlsFollowCommitTest {

  private static final int ITEMS = 30_000;
  private static final int CONTROLS = 40;

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_SIMULATED_LATENCY_MS",
          "0",
          "SLUICE_SIMULATED_FAILURE_RATE",
          "0",
          "SLUICE_BATCH_COMMIT_MAX_ITEMS",
          "50");

  private final Api api = fixture.api();

  @Test
  @DisplayName(
      "Pauses and resumes sent behind a group in flight: each answered and stored in order, the runner never loses its batch, every result stored once")
  void controlsFollowResults() {
    Logger runners = (Logger) LoggerFactory.getLogger(BatchVerticle.class);
    Level before = runners.getLevel();
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    runners.addAppender(lines);
    runners.setLevel(Level.DEBUG);
    try {
      String id = api.createBatch("controls follow", ITEMS, 256);
      long epoch = epoch(id);
      int sent = 0;
      while (sent < CONTROLS && !api.status(id).equals("completed")) {
        String command = sent % 2 == 0 ? "pause" : "resume";
        Api.Reply reply = api.control(id, command);
        assertThat(reply.status()).as(command + ": " + reply.body()).isEqualTo(200);
        assertThat(reply.json().getString("status"))
            .isEqualTo(command.equals("pause") ? "paused" : "running");
        sent++;
      }
      if (api.status(id).equals("paused")) {
        assertThat(api.control(id, "resume").status()).isEqualTo(200);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> api.status(id).equals("completed"));

      assertThat(lines.list)
          .as("controls sent behind a commit in flight")
          .anyMatch(e -> e.getFormattedMessage().contains("follow the commit in flight"));
      assertThat(lines.list)
          .as("runner warnings (a stopped runner, a lost wake-up)")
          .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .isEmpty();
      assertThat(epoch(id)).as("the batch was never recovered").isEqualTo(epoch);
      assertThat(
              fixture
                  .db()
                  .queryLong(
                      "SELECT count(*) FROM items WHERE batch_id = '"
                          + id
                          + "' AND status = 'succeeded' AND attempts = 1"))
          .isEqualTo(ITEMS);
      assertThat(
              fixture
                  .db()
                  .queryLong(
                      "SELECT count(*) FROM batch_events WHERE batch_id = '"
                          + id
                          + "' AND to_status IN ('paused', 'running') AND actor <> 'system'"))
          .as("every acknowledged control in the history")
          .isGreaterThanOrEqualTo(sent);
    } finally {
      runners.detachAppender(lines);
      runners.setLevel(before);
    }
  }

  private static long epoch(String id) {
    return fixture.db().queryLong("SELECT epoch FROM batches WHERE id = '" + id + "'");
  }
}
