package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node started with {@code node.event-loops} runs on that many event loops, and everything still
 * works on one: the HTTP server, the runners and their database connections share its one thread.
 */
class EventLoopsTest {

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_NODE_EVENT_LOOPS",
          "1",
          "SLUICE_SIMULATED_LATENCY_MS",
          "20",
          "SLUICE_SIMULATED_FAILURE_RATE",
          "0");

  @Test
  @DisplayName("SLUICE_NODE_EVENT_LOOPS=1 gives the node's Vert.x one event loop")
  void oneEventLoop() {
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) fixture.sluice().vertx())
        .nettyEventLoopGroup()
        .iterator()
        .forEachRemaining(loops::add);
    assertThat(loops).hasSize(1);
  }

  @Test
  @DisplayName("On one event loop a batch is paused, resumed and runs to completed")
  void batchRunsOnOneLoop() {
    Api api = fixture.api();
    String id = api.createBatch("one-loop", 2_000, 16);
    assertThat(api.control(id, "pause").status()).isEqualTo(200);
    assertThat(api.status(id)).isEqualTo("paused");
    assertThat(api.control(id, "resume").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).until(() -> api.status(id).equals("completed"));
    assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(2_000);
  }
}
