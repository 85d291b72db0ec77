package dev.sluice.app;

import dev.sluice.batch.BatchRoutes;
import dev.sluice.http.Health;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.Problem;
import dev.sluice.http.Problems;
import dev.sluice.observe.PrometheusMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;

/** Serves the API, the probes, the metrics, the OpenAPI document and the web UI on one port. */
final class HttpVerticle extends VerticleBase {

  private final HttpSettings settings;
  private final BatchRoutes batches;
  private final Health health;
  private final PrometheusMetrics metrics;
  private int port;
  private List<Route> routes = List.of();

  HttpVerticle(
      HttpSettings settings, BatchRoutes batches, Health health, PrometheusMetrics metrics) {
    this.settings = settings;
    this.batches = batches;
    this.health = health;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = router();
    routes = List.copyOf(router.getRoutes());
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(settings.port(), settings.host())
        .onSuccess(server -> port = server.actualPort());
  }

  int port() {
    return port;
  }

  /** The routes the router serves, in order; the OpenAPI contract test checks them. */
  List<Route> routes() {
    return routes;
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()));
    batches.mount(router);
    health.mount(router);
    metrics.mount(router);
    router
        .get("/openapi.yaml")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/yaml")
                    .sendFile("openapi.yaml"));
    router
        .route("/api/*")
        .handler(
            ctx ->
                ctx.fail(
                    Problem.notFound(
                        "There is no API route "
                            + ctx.request().method()
                            + " "
                            + ctx.request().path()
                            + ".")));
    router.route("/*").handler(StaticHandler.create("webroot"));
    router.route().failureHandler(Problems::handle);
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, Problems::handle);
    }
    return router;
  }
}
