package dev.sluice.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.generate.ProviderGate.BreakerState;
import dev.sluice.generate.ProviderGate.Outcome;
import dev.sluice.generate.ProviderGate.Permit;
import dev.sluice.observe.PrometheusMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The circuit breaker's half-open probe, which is one real request, on a gate of its own. */
class BreakerTest {

  private Vertx vertx;
  private final Recorder listener = new Recorder();

  /** Records what the breaker asks of batches; a batch answers a probe as it is told to. */
  private static final class Recorder implements ProviderGate.BreakerListener {
    final List<Set<UUID>> opened = new CopyOnWriteArrayList<>();
    final List<UUID> probed = new CopyOnWriteArrayList<>();
    final List<Set<UUID>> closed = new CopyOnWriteArrayList<>();
    final Map<UUID, Boolean> willProbe = new ConcurrentHashMap<>();

    @Override
    public void opened(Set<UUID> batches) {
      opened.add(batches);
    }

    @Override
    public Future<Boolean> probe(UUID batch) {
      probed.add(batch);
      return Future.succeededFuture(willProbe.getOrDefault(batch, true));
    }

    @Override
    public void closed(Set<UUID> batches) {
      closed.add(batches);
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private ProviderGate gate(Duration cooldown) {
    GateSettings settings = new GateSettings(0, 1, 0, 0, Duration.ofSeconds(60), 2, cooldown);
    ProviderGate gate =
        new ProviderGate(vertx, settings, new PrometheusMetrics().sluice("test").providerLimits());
    gate.listen(listener);
    return gate;
  }

  private static Permit granted(Future<Permit> f) {
    await().atMost(Duration.ofSeconds(5)).until(f::isComplete);
    assertThat(f.succeeded()).as("granted").isTrue();
    return f.result();
  }

  private static void held(Future<Permit> f) {
    await()
        .during(Duration.ofMillis(150))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !f.isComplete());
  }

  private void open(ProviderGate gate, UUID batch) {
    granted(gate.acquire(batch, 1)).release(Outcome.FAILED, 0);
    granted(gate.acquire(batch, 1)).release(Outcome.FAILED, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.opened.size() == 1);
  }

  @Test
  @DisplayName(
      "Half-open lets one waiting request through as the probe; its failure reopens and is counted, its answer closes and resumes")
  void oneRequestProbes() {
    ProviderGate gate = gate(Duration.ofMillis(1500));
    UUID batch = UUID.randomUUID();
    open(gate, batch);
    assertThat(listener.opened.get(0)).containsExactly(batch);
    ProviderWait wait = gate.waiting(batch).orElseThrow();
    assertThat(wait.breaker()).isEqualTo("open");
    assertThat(wait.probesFailed()).isZero();
    assertThat(wait.nextProbeAt()).isNotNull();

    Future<Permit> first = gate.acquire(batch, 1);
    Future<Permit> second = gate.acquire(batch, 1);
    held(first);
    Permit probe = granted(first);
    assertThat(gate.breakerState()).isEqualTo(BreakerState.HALF_OPEN);
    held(second);

    probe.release(Outcome.FAILED, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.opened.size() == 2);
    assertThat(gate.waiting(batch).orElseThrow().probesFailed()).isEqualTo(1);
    assertThat(gate.waiting(batch).orElseThrow().since()).isEqualTo(wait.since());

    granted(second).release(Outcome.ANSWERED, 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.closed.size() == 1);
    assertThat(listener.closed.get(0)).containsExactly(batch);
    assertThat(gate.breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(gate.waiting(batch)).isEmpty();
    assertThat(listener.probed).as("a waiting request was there to probe with").isEmpty();
  }

  @Test
  @DisplayName(
      "With nothing waiting, half-open asks a held batch to resume for the probe, skipping one that no longer waits")
  void asksABatchToProbe() {
    ProviderGate gate = gate(Duration.ofMillis(100));
    UUID gone = UUID.randomUUID();
    UUID willing = UUID.randomUUID();
    listener.willProbe.put(gone, false);
    Permit a = granted(gate.acquire(gone, 1));
    Permit b = granted(gate.acquire(willing, 1));
    a.release(Outcome.FAILED, 0);
    b.release(Outcome.FAILED, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.probed.contains(willing));
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting(gone).isEmpty());

    granted(gate.acquire(willing, 1)).release(Outcome.ANSWERED, 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.closed.size() == 1);
    assertThat(listener.closed.get(0)).containsExactly(willing);
  }

  @Test
  @DisplayName("An answer to a request sent before the breaker opened closes it at once")
  void lateAnswerCloses() {
    ProviderGate gate = gate(Duration.ofSeconds(60));
    UUID batch = UUID.randomUUID();
    Permit late = granted(gate.acquire(batch, 1));
    open(gate, batch);
    assertThat(gate.breakerState()).isEqualTo(BreakerState.OPEN);
    late.release(Outcome.ANSWERED, 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> listener.closed.size() == 1);
    assertThat(gate.breakerState()).isEqualTo(BreakerState.CLOSED);
  }
}
