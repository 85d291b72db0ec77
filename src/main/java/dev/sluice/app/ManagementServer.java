package dev.sluice.app;

import dev.sluice.http.Health;
import dev.sluice.http.SecurityHeaders;
import dev.sluice.observe.PrometheusMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/**
 * The management server: {@code /metrics} and the probes on their own address and port (loopback by
 * default), open, for a scraper inside the cluster network while the API port needs tokens.
 */
final class ManagementServer {

  private ManagementServer() {}

  static Future<HttpServer> start(
      Vertx vertx, ManagementSettings settings, Health health, PrometheusMetrics metrics) {
    Router router = Router.router(vertx);
    router.route().handler(SecurityHeaders::add);
    metrics.mount(router);
    health.mount(router);
    return vertx.createHttpServer().requestHandler(router).listen(settings.port(), settings.host());
  }
}
