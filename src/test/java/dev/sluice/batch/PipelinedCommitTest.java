package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * A runner with a full group of results waiting sends it while the group before is still being
 * written, on the same connection, so PostgreSQL applies them in order and each one's revision
 * guard holds (docs/decisions.md, "Two groups of results in flight"). At zero latency with groups
 * of 50, groups wait all the time: were two commits ever applied out of order, the later one's
 * guard would match nothing, the runner would stop and recovery would claim the batch under a new
 * epoch.
 */
class PipelinedCommitTest {

  private static final int ITEMS = 6_000;

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
      "Groups written back to back on one connection: every result stored once, the runner never loses its batch")
  void groupsInOrder() {
    Logger runners = (Logger) LoggerFactory.getLogger(BatchVerticle.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    runners.addAppender(warnings);
    try {
      String id = api.createBatch("pipelined", ITEMS, 512);
      long epoch = epoch(id);

      await().atMost(Duration.ofSeconds(60)).until(() -> api.status(id).equals("completed"));

      assertThat(warnings.list)
          .as("runner warnings (a stopped runner, a lost wake-up)")
          .extracting(ILoggingEvent::getFormattedMessage)
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
      assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(ITEMS);
    } finally {
      runners.detachAppender(warnings);
    }
  }

  private static long epoch(String id) {
    return fixture.db().queryLong("SELECT epoch FROM batches WHERE id = '" + id + "'");
  }
}
