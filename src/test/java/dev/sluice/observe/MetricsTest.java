package dev.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} after batches run through a generator the test holds: items are counted by
 * outcome, in flight while held, timed, and controls are counted by action and result; batches are
 * counted by status; Vert.x's own meters are there; and no label holds a batch id.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsTest {

  private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][\\w:]*)(\\{.*})? (\\S+)$");
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private static final GatedGenerator generator =
      new GatedGenerator().failWhenPromptContains("FAIL");

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings().generator(v -> generator).beforeClose(generator::releaseAll);

  private final Api api = fixture.api();

  @Test
  @Order(1)
  @DisplayName(
      "Items are counted as dispatched, in flight while the provider holds them, then by outcome, with latency by outcome")
  void itemsByOutcome() {
    String id = api.createBatch(batch("outcomes", 5, "q3"));
    await().atMost(Duration.ofSeconds(10)).until(() -> generator.inFlight(id) == 5);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> value("sluice_items_in_flight", "provider=\"simulated\"") == 5.0);
    assertThat(value("sluice_items_dispatched_total", "provider=\"simulated\"")).isEqualTo(5.0);

    generator.releaseAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> api.status(id).equals("completed"));

    Map<String, Double> m = scrape();
    assertThat(get(m, "sluice_items_in_flight")).isZero();
    assertThat(get(m, "sluice_items_succeeded_total", "provider=\"simulated\"")).isEqualTo(4.0);
    assertThat(get(m, "sluice_items_failed_total", "provider=\"simulated\"")).isEqualTo(1.0);
    assertThat(get(m, "sluice_items_retried_total")).isZero();
    assertThat(get(m, "sluice_generation_duration_seconds_count", "outcome=\"success\""))
        .isEqualTo(4.0);
    assertThat(get(m, "sluice_generation_duration_seconds_count", "outcome=\"item_error\""))
        .isEqualTo(1.0);
    assertThat(get(m, "sluice_generation_duration_seconds_bucket", "le=\"+Inf\"", "success"))
        .isEqualTo(4.0);
    assertThat(get(m, "sluice_queue_wait_seconds_count")).isEqualTo(5.0);
    assertThat(get(m, "sluice_snapshot_write_seconds_count")).isPositive();
    assertThat(get(m, "sluice_group_commit_items_sum")).isEqualTo(5.0);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> value("sluice_batches", "status=\"completed\"") == 1.0);
  }

  @Test
  @Order(2)
  @DisplayName(
      "Control requests are counted by action and result, 409s and unknown batches included")
  void controlsByActionAndResult() {
    String id = api.createBatch(batch("controls", 3, "none"));
    await().atMost(Duration.ofSeconds(10)).until(() -> generator.inFlight(id) == 3);

    assertThat(api.control(id, "pause").status()).isEqualTo(200);
    assertThat(api.control(id, "pause").status()).isEqualTo(409);
    assertThat(api.control(UUID.randomUUID().toString(), "resume").status()).isEqualTo(404);
    assertThat(api.control(id, "resume").status()).isEqualTo(200);

    Map<String, Double> m = scrape();
    assertThat(get(m, "sluice_control_requests_total", "action=\"pause\"", "result=\"accepted\""))
        .isEqualTo(1.0);
    assertThat(get(m, "sluice_control_requests_total", "action=\"pause\"", "result=\"conflict\""))
        .isEqualTo(1.0);
    assertThat(get(m, "sluice_control_requests_total", "action=\"resume\"", "result=\"not_found\""))
        .isEqualTo(1.0);
    assertThat(get(m, "sluice_control_requests_total", "action=\"resume\"", "result=\"accepted\""))
        .isEqualTo(1.0);
    generator.releaseAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> api.status(id).equals("completed"));
  }

  @Test
  @Order(3)
  @DisplayName(
      "A cancel counts the pending items it cancels; the item in flight finishes and counts")
  void cancelCountsPendingItems() {
    double succeededBefore = value("sluice_items_succeeded_total", "simulated");
    String id = api.createBatch(batch("cancel", 4, "none").put("concurrency", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> generator.inFlight(id) == 1);

    assertThat(api.control(id, "cancel").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> value("sluice_items_cancelled_total", "simulated") == 3.0);
    generator.releaseAll();

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> value("sluice_items_succeeded_total", "simulated") == succeededBefore + 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> value("sluice_batches", "status=\"cancelled\"") == 1.0);
  }

  @Test
  @Order(4)
  @DisplayName(
      "Readiness, recovery, provider limits and Vert.x's HTTP, event-bus and pool meters are exported")
  void operationalMeters() {
    Map<String, Double> m = scrape();

    assertThat(get(m, "sluice_ready")).isEqualTo(1.0);
    assertThat(get(m, "sluice_readiness_check", "check=\"database\"")).isEqualTo(1.0);
    assertThat(m).containsKey("sluice_recovery_duration_seconds");
    assertThat(get(m, "sluice_recovered_batches")).isZero();
    assertThat(get(m, "sluice_running_batches_max_idle_seconds")).isNotNegative();
    assertThat(get(m, "sluice_provider_circuit_state", "provider=\"simulated\"")).isZero();
    assertThat(get(m, "sluice_provider_rate_limit_waits_total")).isZero();
    assertThat(get(m, "sluice_provider_rate_limit_wait_seconds_total")).isZero();
    assertThat(
            get(
                m,
                "vertx_http_server_requests_total",
                "code=\"201\"",
                "method=\"POST\"",
                // the matched routes, joined: the guards on /* and /api/*, then the operation
                "/api/>/api/generation/batch\""))
        .isPositive();
    assertThat(get(m, "vertx_eventbus_published_total")).isPositive();
    assertThat(get(m, "vertx_pool_completed_total", "pool_type=\"sql\"")).isPositive();
  }

  @Test
  @Order(5)
  @DisplayName("No label value holds a batch id, or any other id")
  void noBatchIdsInLabels() {
    String body = api.get("/metrics").body();

    assertThat(body).contains("sluice_items_dispatched_total");
    for (String line : body.lines().filter(l -> !l.startsWith("#")).toList()) {
      assertThat(UUID_TEXT.matcher(line).find()).as(line).isFalse();
    }
  }

  private static JsonObject batch(String name, int n, String failing) {
    JsonArray items = new JsonArray();
    for (int i = 1; i <= n; i++) {
      String marker = ("q" + i).equals(failing) ? " FAIL" : "";
      items.add(new JsonObject().put("id", "q" + i).put("prompt", "Question " + i + marker));
    }
    return new JsonObject()
        .put("name", name)
        .put("concurrency", n)
        .put("maxAttempts", 1)
        .put("items", items);
  }

  private double value(String name, String... parts) {
    return get(scrape(), name, parts);
  }

  /** The sum of every series of the metric whose labels contain each part. */
  private static double get(Map<String, Double> metrics, String name, String... parts) {
    double sum = 0;
    boolean found = false;
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      String series = e.getKey();
      boolean named = series.equals(name) || series.startsWith(name + "{");
      boolean matches = true;
      for (String part : parts) {
        matches &= series.contains(part);
      }
      if (named && matches) {
        sum += e.getValue();
        found = true;
      }
    }
    assertThat(found).as("a series %s with %s", name, String.join(", ", parts)).isTrue();
    return sum;
  }

  private Map<String, Double> scrape() {
    Api.Reply reply = api.get("/metrics");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).startsWith("text/plain; version=0.0.4");
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : reply.body().lines().toList()) {
      Matcher m = SERIES.matcher(line);
      if (!line.startsWith("#") && m.matches()) {
        out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.valueOf(m.group(3)));
      }
    }
    return out;
  }
}
