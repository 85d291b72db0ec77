package dev.sluice.observe;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meter registry of one Sluice process, served at {@code GET /metrics} in the Prometheus text
 * format. Vert.x reports into it too: HTTP server (by method, route and status), event bus and pool
 * metrics, and the JVM's. Each process gets a registry of its own, under a name of its own, so
 * several Sluice instances in one JVM (the tests) never share meters; Vert.x drops it on close.
 */
public final class PrometheusMetrics {

  /**
   * JVM meters whose exported names break Prometheus conventions ({@code promtool check metrics}
   * flags them): abbreviated units ({@code _ms}, {@code _ns}) and a gauge ending in {@code _count}.
   * The rest of the JVM's meters stay.
   */
  private static final Set<String> NONCONFORMING =
      Set.of("jvm.compilation.time", "process.cpu.time", "system.cpu.count");

  private static final Logger log = LoggerFactory.getLogger(PrometheusMetrics.class);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final String name = "sluice-" + UUID.randomUUID();

  public PrometheusMetrics() {
    registry
        .config()
        .meterFilter(MeterFilter.deny(id -> NONCONFORMING.contains(id.getName())))
        .onMeterRegistrationFailed(
            (id, why) -> log.warn("The meter {} could not be registered: {}", id.getName(), why));
  }

  /**
   * Makes the Vert.x instance built with {@code options} report its own metrics into this registry.
   */
  public VertxBuilder instrument(VertxBuilder builder, VertxOptions vertxOptions) {
    MicrometerMetricsOptions options =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(name)
            .setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
            // Database connections are measured as the sql pool and client; the raw TCP client
            // meters add nothing and register one gauge per event loop.
            .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
            // The defaults (method, code, pool type and name, event-bus side) plus the route
            // template: bounded, unlike the path, which holds batch ids.
            .addLabels(Label.HTTP_ROUTE);
    return builder
        .with(vertxOptions.setMetricsOptions(options))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Sluice's own metrics, labelled with the provider this process generates with. */
  public SluiceMetrics sluice(String provider) {
    return new SluiceMetrics(registry, provider);
  }

  /** Serves {@code GET /metrics}. */
  public void mount(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }
}
