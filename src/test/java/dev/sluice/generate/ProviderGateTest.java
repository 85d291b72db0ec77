package dev.sluice.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.OpenAiTestServer;
import dev.sluice.support.ProviderSluice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Provider limits, fairness and the circuit breaker, against a real loopback provider. */
class ProviderGateTest {

  @RegisterExtension
  final ProviderSluice fixture =
      ProviderSluice.withSettings(
              "SLUICE_OPENAI_TIMEOUT_MS",
              "2000",
              "SLUICE_BATCH_RETRY_BACKOFF_MS",
              "20",
              "SLUICE_BATCH_RETRY_BACKOFF_MAX_MS",
              "100")
          .latency(10);

  private OpenAiTestServer provider;
  private Api api;

  private void start(String... overrides) {
    api = fixture.start(overrides);
    provider = fixture.provider();
  }

  private void restart() {
    api = fixture.restart();
  }

  private String batch(String name, int n, int concurrency, int maxAttempts) {
    return batch(name, n, concurrency, maxAttempts, new JsonObject());
  }

  private String batch(String name, int n, int concurrency, int maxAttempts, JsonObject params) {
    JsonArray items = new JsonArray();
    for (int i = 1; i <= n; i++) {
      items.add(new JsonObject().put("id", "i" + i).put("prompt", name + " question " + i));
    }
    return api.createBatch(
        new JsonObject()
            .put("name", name)
            .put("concurrency", concurrency)
            .put("maxAttempts", maxAttempts)
            .put("params", params)
            .put("items", items));
  }

  /** When each call reached the provider, in milliseconds, earliest first. */
  private List<Long> callTimes() {
    return provider.calls().stream()
        .map(c -> TimeUnit.NANOSECONDS.toMillis(c.nanos()))
        .sorted()
        .toList();
  }

  @Test
  @DisplayName(
      "The request limit is never exceeded in any sliding window, and at least 90% of it is used while work waits")
  void requestWindow() {
    start("SLUICE_PROVIDER_REQUESTS_PER_WINDOW", "25", "SLUICE_PROVIDER_WINDOW_MS", "2000");
    String warmUp = batch("warm-up", 1, 1, 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> api.status(warmUp).equals("completed"));
    String id = batch("window", 99, 50, 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));

    List<Long> at = callTimes();
    assertThat(at).hasSize(100);
    for (int i = 0; i < at.size(); i++) {
      long from = at.get(i);
      long inWindow = at.stream().filter(t -> t >= from && t < from + 2000).count();
      assertThat(inWindow).as("calls in the window starting at call %d", i).isLessThanOrEqualTo(25);
    }
    double windows = (at.get(at.size() - 1) - at.get(0)) / 2000.0 + 1;
    double used = 100 / windows / 25;
    assertThat(used).as("share of the limit used").isGreaterThanOrEqualTo(0.9);
  }

  @Test
  @DisplayName(
      "A token window holds requests to what their estimates leave room for, even with slots free")
  void tokenWindow() {
    start("SLUICE_PROVIDER_TOKENS_PER_WINDOW", "1000", "SLUICE_PROVIDER_WINDOW_MS", "60000");
    provider.latency(200);
    String id = batch("tokens", 8, 8, 1, new JsonObject().put("max_tokens", 400));
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));

    // Each request is estimated at about 400 tokens until its answer reports what it used, so no
    // more than two of the eight slots may be at the provider at once.
    List<Long> at = callTimes();
    assertThat(at).hasSize(8);
    for (long from : at) {
      long overlapping = at.stream().filter(t -> t >= from && t < from + 150).count();
      assertThat(overlapping)
          .as("calls at the provider with the one at %d ms", from)
          .isLessThanOrEqualTo(2);
    }
  }

  @Test
  @DisplayName(
      "Two batches on one provider both progress: a small batch is not starved by a big one, and a paused batch gives up its turn")
  void fairness() {
    start("SLUICE_PROVIDER_MAX_CONCURRENCY", "4");
    provider.latency(25);
    String big = batch("big", 300, 64, 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.counts(big).getInteger("succeeded") > 10);
    String small = batch("small", 12, 4, 1);

    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(small).equals("completed"));
    assertThat(api.counts(big).getInteger("succeeded"))
        .as("the big batch is still going")
        .isLessThan(300);

    assertThat(api.control(big, "pause").status()).isEqualTo(200);
    String third = batch("third", 8, 4, 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(third).equals("completed"));
    assertThat(api.status(big)).isEqualTo("paused");
    api.control(big, "cancel");
  }

  @Test
  @DisplayName(
      "A run of 5xx opens the breaker and pauses the batches; real requests probe the provider, failed probes are counted on the batch, and once chat completions answer the batches resume and complete, though the model list answers 501")
  void breaker() {
    start("SLUICE_PROVIDER_BREAKER_FAILURES", "3", "SLUICE_PROVIDER_BREAKER_COOLDOWN_MS", "300");
    provider.modelList(501).forceStatus(503);
    String first = batch("outage", 20, 2, 10);
    String second = batch("outage-too", 10, 2, 10);

    for (String id : List.of(first, second)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> pausedByBreaker(id));
      assertThat(events(id))
          .anyMatch(
              e ->
                  e.getString("to").equals("paused")
                      && "provider_unavailable".equals(e.getString("reason"))
                      && e.getString("actor").equals("system"));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> probesFailed(first) >= 2 && probesFailed(second) >= 2);
    JsonObject waiting = api.batch(first).getJsonObject("provider");
    assertThat(Instant.parse(waiting.getString("waitingSince"))).isBefore(Instant.now());
    assertThat(waiting.getLong("waitedMs")).isPositive();
    assertThat(waiting.getString("breaker")).isIn("open", "half_open");
    int callsWhileDown = provider.calls().size();

    provider.forceStatus(0);
    for (String id : List.of(first, second)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("completed"));
      assertThat(api.batch(id).getValue("provider")).isNull();
      assertThat(events(id))
          .anyMatch(
              e ->
                  e.getString("from").equals("paused")
                      && e.getString("to").equals("running")
                      && List.of("provider_available", "provider_probe")
                          .contains(e.getString("reason")));
    }
    assertThat(api.counts(first).getInteger("succeeded")).isEqualTo(20);
    assertThat(api.counts(second).getInteger("succeeded")).isEqualTo(10);
    assertThat(callsWhileDown).as("the probes were chat completions").isGreaterThan(3 + 2);
    assertThat(provider.probes()).as("the model list was never asked").isZero();
  }

  @Test
  @DisplayName(
      "Batches the breaker paused before a restart are resumed by the new process once the provider answers")
  void breakerAcrossRestart() {
    start("SLUICE_PROVIDER_BREAKER_FAILURES", "2", "SLUICE_PROVIDER_BREAKER_COOLDOWN_MS", "60000");
    provider.forceStatus(503);
    String id = batch("restart", 6, 2, 10);
    await().atMost(Duration.ofSeconds(20)).until(() -> pausedByBreaker(id));
    fixture.stop();

    provider.forceStatus(0);
    restart();
    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("completed"));
    assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(6);
  }

  private boolean pausedByBreaker(String id) {
    JsonObject b = api.batch(id);
    return b.getString("status").equals("paused")
        && "provider_unavailable".equals(b.getString("statusReason"))
        && b.getJsonObject("provider") != null;
  }

  private int probesFailed(String id) {
    JsonObject wait = api.batch(id).getJsonObject("provider");
    return wait == null ? -1 : wait.getInteger("probesFailed");
  }

  private List<JsonObject> events(String id) {
    return api.get("/api/generation/batch/" + id + "/events").json().getJsonArray("data").stream()
        .map(JsonObject.class::cast)
        .toList();
  }
}
