package dev.sluice.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.generate.ProviderGate.Outcome;
import dev.sluice.generate.ProviderGate.Permit;
import dev.sluice.observe.PrometheusMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gate's own rules, without a provider: adaptive concurrency, token window, turns, release. */
class ProviderGateUnitTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private ProviderGate gate(int maxConcurrency, int requests, long tokens, Duration window) {
    GateSettings settings =
        new GateSettings(maxConcurrency, 1, requests, tokens, window, 0, Duration.ofSeconds(1));
    return new ProviderGate(
        vertx, settings, new PrometheusMetrics().sluice("test").providerLimits());
  }

  private static Permit granted(Future<Permit> f) {
    await().atMost(Duration.ofSeconds(5)).until(f::isComplete);
    assertThat(f.succeeded()).as("granted").isTrue();
    return f.result();
  }

  @Test
  @DisplayName("Only a token window makes the gate use a token estimate")
  void countsTokensOnlyWithATokenWindow() {
    Duration minute = Duration.ofMinutes(1);
    assertThat(gate(0, 0, 0, minute).countsTokens()).isFalse();
    assertThat(gate(8, 100, 0, minute).countsTokens()).isFalse();
    assertThat(gate(0, 0, 1_000, minute).countsTokens()).isTrue();
  }

  @Test
  @DisplayName(
      "A 429 halves the concurrency limit; answers raise it by one per limit's worth, up to the maximum")
  void additiveIncreaseMultiplicativeDecrease() {
    ProviderGate gate = gate(8, 0, 0, Duration.ofSeconds(60));
    UUID batch = UUID.randomUUID();
    granted(gate.acquire(batch, 1)).release(Outcome.RATE_LIMITED, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.concurrencyLimit() == 4);

    granted(gate.acquire(batch, 1)).release(Outcome.RATE_LIMITED, 0);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> gate.concurrencyLimit() == 4);

    for (int i = 0; i < 4; i++) {
      granted(gate.acquire(batch, 1)).release(Outcome.ANSWERED, 1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.concurrencyLimit() == 5);
  }

  @Test
  @DisplayName("The concurrency limit holds requests back until one is released")
  void concurrencyLimit() {
    ProviderGate gate = gate(2, 0, 0, Duration.ofSeconds(60));
    UUID batch = UUID.randomUUID();
    Permit a = granted(gate.acquire(batch, 1));
    granted(gate.acquire(batch, 1));
    Future<Permit> third = gate.acquire(batch, 1);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !third.isComplete());
    a.release(Outcome.ANSWERED, 1);
    granted(third);
  }

  @Test
  @DisplayName("The token window counts the estimate until the reported usage corrects it")
  void tokenWindow() {
    ProviderGate gate = gate(0, 0, 100, Duration.ofSeconds(60));
    UUID batch = UUID.randomUUID();
    Permit first = granted(gate.acquire(batch, 60));
    Future<Permit> second = gate.acquire(batch, 60);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !second.isComplete());
    first.release(Outcome.ANSWERED, 20);
    granted(second);
    Future<Permit> third = gate.acquire(batch, 30);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !third.isComplete());
    assertThat(gate.rateLimitWaits()).isPositive();
  }

  @Test
  @DisplayName(
      "Waiting batches are served in turn, and a batch that stops dispatching gives up its place")
  void turnsAndRelease() {
    ProviderGate gate = gate(1, 0, 0, Duration.ofSeconds(60));
    UUID big = UUID.randomUUID();
    UUID small = UUID.randomUUID();
    UUID paused = UUID.randomUUID();
    Permit running = granted(gate.acquire(big, 1));
    List<Future<Permit>> bigQueue = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      bigQueue.add(gate.acquire(big, 1));
    }
    Future<Permit> gone = gate.acquire(paused, 1);
    Future<Permit> smallOne = gate.acquire(small, 1);
    gate.releaseWaiting(paused);
    await().atMost(Duration.ofSeconds(5)).until(gone::isComplete);
    assertThat(gone.cause()).isInstanceOf(ProviderGate.Released.class);

    running.release(Outcome.ANSWERED, 1);
    granted(bigQueue.get(0)).release(Outcome.ANSWERED, 1);
    Permit s = granted(smallOne);
    assertThat(bigQueue.get(1).isComplete())
        .as("the small batch went before the big one's second")
        .isFalse();
    s.release(Outcome.ANSWERED, 1);
    granted(bigQueue.get(1));
  }

  @Test
  @DisplayName(
      "Shared with three members, a node starts a third of the requests per window, and all of"
          + " them again when the others leave")
  void requestLimitSharedAcrossMembers() {
    ProviderGate gate = gate(0, 9, 0, Duration.ofMinutes(10));
    gate.shareWith(3);
    UUID batch = UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      granted(gate.acquire(batch, 1)).release(Outcome.ANSWERED, 1);
    }
    Future<Permit> fourth = gate.acquire(batch, 1);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !fourth.isComplete());
    gate.shareWith(1);
    granted(fourth).release(Outcome.ANSWERED, 1);
    assertThat(ProviderGate.share(9, 3)).isEqualTo(3);
    assertThat(ProviderGate.share(2, 3)).as("a node always gets at least one").isEqualTo(1);
  }
}
