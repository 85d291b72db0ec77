package dev.sluice.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SimulatedGeneratorTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static GenerationRequest request(String prompt, int attempt) {
    return new GenerationRequest(
        UUID.randomUUID(),
        1,
        "q1",
        0,
        attempt,
        "simulated",
        null,
        prompt,
        java.util.List.of(),
        Map.of());
  }

  private static Future<Generation> run(SimulatedGenerator g, GenerationRequest r) {
    return g.generate(r);
  }

  @Test
  @DisplayName(
      "The same input and seed give the same text, and the text reads like an answer to the prompt")
  void deterministic() throws Exception {
    SimulatedGenerator a = new SimulatedGenerator(vertx, new SimulatedSettings(0, 0.0, 7));
    SimulatedGenerator b = new SimulatedGenerator(vertx, new SimulatedSettings(0, 0.0, 7));
    Generation first =
        run(a, request("Explain osmosis", 1)).toCompletionStage().toCompletableFuture().get();
    Generation second =
        run(b, request("Explain osmosis", 1)).toCompletionStage().toCompletableFuture().get();
    assertThat(first).isEqualTo(second);
    assertThat(first.text()).contains("Explain osmosis").contains("Question:");
    assertThat(first.completionTokens()).isPositive();
  }

  @Test
  @DisplayName(
      "Failures come at about the configured rate, mostly retryable, and repeat for the same attempt")
  void failureRate() {
    SimulatedGenerator g = new SimulatedGenerator(vertx, new SimulatedSettings(0, 0.2, 1));
    int failures = 0;
    int retryable = 0;
    for (int i = 0; i < 2000; i++) {
      Future<Generation> f = run(g, request("prompt " + i, 1));
      if (f.failed()) {
        failures++;
        GenerationException e = (GenerationException) f.cause();
        retryable += e.kind() == GenerationException.Kind.RETRYABLE ? 1 : 0;
        assertThat(run(g, request("prompt " + i, 1)).failed()).isTrue();
      }
    }
    assertThat(failures).isBetween(320, 480);
    assertThat(retryable).isBetween(failures / 2, failures);
  }

  @Test
  @DisplayName(
      "Latency spread 0 takes exactly the mean every time; 0.5 never goes under half of it; 1 does")
  void latencySpread() {
    SimulatedGenerator fixed = new SimulatedGenerator(vertx, new SimulatedSettings(40, 0, 1, 0));
    SimulatedGenerator half = new SimulatedGenerator(vertx, new SimulatedSettings(40, 0, 1, 0.5));
    SimulatedGenerator full = new SimulatedGenerator(vertx, new SimulatedSettings(40, 0, 1, 1));
    List<Long> f = new ArrayList<>();
    List<Long> h = new ArrayList<>();
    List<Long> e = new ArrayList<>();
    for (int seq = 1; seq <= 400; seq++) {
      f.add(fixed.latencyOf(request("p" + seq, 1)));
      h.add(half.latencyOf(request("p" + seq, 1)));
      e.add(full.latencyOf(request("p" + seq, 1)));
    }
    assertThat(f).containsOnly(40L);
    assertThat(h).allMatch(ms -> ms >= 20).anyMatch(ms -> ms > 80);
    assertThat(e).anyMatch(ms -> ms < 20);
    assertThat(h.stream().mapToLong(Long::longValue).average().orElseThrow()).isBetween(34.0, 46.0);
  }

  @Test
  @DisplayName("Latency is drawn around the configured mean")
  void latency() throws Exception {
    SimulatedGenerator g = new SimulatedGenerator(vertx, new SimulatedSettings(30, 0.0, 1));
    long start = System.nanoTime();
    run(g, request("slow", 1)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(14);
  }
}
