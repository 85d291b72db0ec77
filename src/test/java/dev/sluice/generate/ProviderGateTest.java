package dev.sluice.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.Sluice;
import dev.sluice.support.Api;
import dev.sluice.support.OpenAiTestServer;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Provider limits, fairness and the circuit breaker, against a real loopback provider. */
class ProviderGateTest {

  private TestDatabase db;
  private OpenAiTestServer provider;
  private Sluice sluice;
  private Api api;

  private void start(String... overrides) {
    db = TestDatabase.create(ProviderGateTest.class);
    provider = new OpenAiTestServer().latency(10);
    String[] base = {
      "SLUICE_GENERATOR", "openai",
      "SLUICE_OPENAI_BASE_URL", provider.baseUrl(),
      "SLUICE_OPENAI_MODEL", "gpt-test",
      "SLUICE_OPENAI_TIMEOUT_MS", "2000",
      "SLUICE_BATCH_RETRY_BACKOFF_MS", "20",
      "SLUICE_BATCH_RETRY_BACKOFF_MAX_MS", "100"
    };
    String[] all = new String[base.length + overrides.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(overrides, 0, all, base.length, overrides.length);
    sluice = Sluice.start(TestConfig.of(db, all));
    api = new Api(sluice.port());
  }

  @AfterEach
  void stop() {
    sluice.close();
    provider.close();
    db.close();
  }

  private String batch(String name, int n, int concurrency, int maxAttempts) {
    JsonArray items = new JsonArray();
    for (int i = 1; i <= n; i++) {
      items.add(new JsonObject().put("id", "i" + i).put("prompt", name + " question " + i));
    }
    return api.createBatch(
        new JsonObject()
            .put("name", name)
            .put("concurrency", concurrency)
            .put("maxAttempts", maxAttempts)
            .put("items", items));
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

    List<Long> at =
        provider.calls().stream()
            .map(c -> TimeUnit.NANOSECONDS.toMillis(c.nanos()))
            .sorted()
            .toList();
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
      "A run of 5xx opens the breaker and pauses the batch with its reason; once the provider answers the batch resumes and completes")
  void breaker() {
    start("SLUICE_PROVIDER_BREAKER_FAILURES", "3", "SLUICE_PROVIDER_BREAKER_COOLDOWN_MS", "300");
    provider.forceStatus(503);
    String id = batch("outage", 20, 2, 10);

    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("paused"));
    JsonObject paused = api.batch(id);
    assertThat(paused.getString("statusReason")).isEqualTo("provider_unavailable");
    assertThat(events(id))
        .anyMatch(
            e ->
                e.getString("to").equals("paused")
                    && "provider_unavailable".equals(e.getString("reason"))
                    && e.getString("actor").equals("system"));
    await().atMost(Duration.ofSeconds(10)).until(() -> provider.probes() >= 2);
    assertThat(api.status(id)).isEqualTo("paused");

    provider.forceStatus(0);
    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("completed"));
    assertThat(api.counts(id).getInteger("succeeded")).isEqualTo(20);
    assertThat(events(id))
        .anyMatch(
            e ->
                e.getString("from").equals("paused")
                    && e.getString("to").equals("running")
                    && "provider_available".equals(e.getString("reason")));
  }

  private List<JsonObject> events(String id) {
    return api.get("/api/generation/batch/" + id + "/events").json().getJsonArray("data").stream()
        .map(JsonObject.class::cast)
        .toList();
  }
}
