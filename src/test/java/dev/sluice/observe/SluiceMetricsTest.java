package dev.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What each reporting method turns into, in the Prometheus text format. */
class SluiceMetricsTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final SluiceMetrics metrics = new SluiceMetrics(registry, "openai");

  @Test
  @DisplayName(
      "Provider limits start honest (no waits, circuit closed) and report what the gate tells them")
  void providerLimits() {
    assertThat(registry.scrape())
        .contains(
            "sluice_provider_rate_limit_waits_total{provider=\"openai\"} 0.0",
            "sluice_provider_circuit_state{provider=\"openai\"} 0.0");

    metrics.providerLimits().rateLimitWaited(Duration.ofMillis(1500));
    metrics.providerLimits().circuit(ProviderLimits.CircuitState.OPEN);

    assertThat(registry.scrape())
        .contains(
            "sluice_provider_rate_limit_waits_total{provider=\"openai\"} 1.0",
            "sluice_provider_rate_limit_wait_seconds_total{provider=\"openai\"} 1.5",
            "sluice_provider_circuit_state{provider=\"openai\"} 2.0");
  }

  @Test
  @DisplayName("In-flight rises with each dispatch and falls as each generation ends")
  void inFlight() {
    metrics.itemDispatched(Duration.ofMillis(3));
    metrics.itemDispatched(Duration.ZERO);
    metrics.generationEnded(Duration.ofMillis(120), "success");

    String text = registry.scrape();

    assertThat(text)
        .contains(
            "sluice_items_in_flight{provider=\"openai\"} 1.0",
            "sluice_items_dispatched_total{provider=\"openai\"} 2.0",
            "sluice_generation_duration_seconds_bucket{outcome=\"success\",provider=\"openai\",le=\"0.25\"} 1",
            "sluice_queue_wait_seconds_count{provider=\"openai\"} 2");
  }

  @Test
  @DisplayName(
      "Batches by status, the longest idle running batch, recovery and readiness become gauges")
  void gauges() {
    metrics.batches(Map.of("running", 2L, "completed", 7L), Duration.ofSeconds(42));
    metrics.recovered(Duration.ofMillis(1250), 3);
    metrics.readiness(Map.of("database", false, "recovery", true));

    assertThat(registry.scrape())
        .contains(
            "sluice_batches{status=\"running\"} 2.0",
            "sluice_batches{status=\"completed\"} 7.0",
            "sluice_running_batches_max_idle_seconds 42.0",
            "sluice_recovery_duration_seconds 1.25",
            "sluice_recovered_batches 3.0",
            "sluice_ready 0.0",
            "sluice_readiness_check{check=\"database\"} 0.0",
            "sluice_readiness_check{check=\"recovery\"} 1.0");
  }
}
