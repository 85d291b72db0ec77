package dev.sluice.app;

import dev.sluice.api.BatchRoutes;
import dev.sluice.http.AllowedMethods;
import dev.sluice.http.HeadGuard;
import dev.sluice.http.Health;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.Problem;
import dev.sluice.http.Problems;
import dev.sluice.http.RequestGuard;
import dev.sluice.observe.PrometheusMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the API, the probes, the metrics, the OpenAPI document and the web UI on one port. */
final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);

  private final HttpSettings settings;
  private final BatchRoutes batches;
  private final Health health;
  private final PrometheusMetrics metrics;
  private int port;
  private List<Route> routes = List.of();
  private AllowedMethods allowed = AllowedMethods.of(List.of());

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
    allowed = AllowedMethods.of(routes);
    return vertx
        .createHttpServer(options())
        .requestHandler(new RequestGuard(vertx, router, settings.bodyTimeout()))
        .invalidRequestHandler(RequestGuard::invalid)
        .connectionHandler(connection -> HeadGuard.install(connection, settings.headerTimeout()))
        // A client that goes away mid-request is routine, not an error of Sluice's.
        .exceptionHandler(e -> log.debug("An HTTP connection failed: {}", e.toString()))
        .listen(settings.port(), settings.host())
        .onSuccess(server -> port = server.actualPort());
  }

  /**
   * HTTP/1 only: with cleartext HTTP/2 on, Vert.x makes the connection only once the first request
   * head has been read, too late for {@link HeadGuard} to time or check it.
   */
  private HttpServerOptions options() {
    return new HttpServerOptions()
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) settings.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
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
    router.route("/api/*").handler(ctx -> ctx.fail(noRoute(ctx)));
    router.route("/*").handler(StaticHandler.create("webroot"));
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, ctx -> Problems.send(ctx, noRoute(ctx)));
    for (int status : new int[] {400, 405, 413, 415, 500}) {
      router.errorHandler(status, Problems::handle);
    }
    return router;
  }

  /** 405 with {@code Allow} when the path is served with other methods, else 404. */
  private Problem noRoute(RoutingContext ctx) {
    String method = ctx.request().method().name();
    String path = ctx.normalizedPath();
    Set<String> methods = allowed.at(path);
    if (methods.isEmpty()) {
      return path.startsWith("/api/")
          ? Problem.notFound("There is no API route " + method + " " + path + ".")
          : Problem.notFound("There is nothing at " + path + ".");
    }
    ctx.response().putHeader("Allow", String.join(", ", methods));
    return new Problem(
        405,
        "method-not-allowed",
        "Method not allowed",
        path + " does not answer " + method + "; it answers " + String.join(", ", methods) + ".");
  }
}
