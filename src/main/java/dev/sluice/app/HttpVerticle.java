package dev.sluice.app;

import dev.sluice.api.v1.OpenAiErrors;
import dev.sluice.auth.Authenticator;
import dev.sluice.auth.LoopbackGuard;
import dev.sluice.http.AllowedMethods;
import dev.sluice.http.FormBodies;
import dev.sluice.http.HeadGuard;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.Problem;
import dev.sluice.http.Problems;
import dev.sluice.http.RequestGuard;
import dev.sluice.http.SecurityHeaders;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the API, the probes, the metrics, the OpenAPI document and the web UI on one port. Several
 * instances share that port, each on an event loop of its own ({@link #deploy}), so requests are
 * parsed, routed and answered on several threads.
 */
final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);

  /** A negative port: a free port, shared by every server that asks for this same number. */
  private static final int SHARED_FREE_PORT = -1;

  private final HttpSettings settings;
  private final int listenPort;
  private final EdgeParts parts;
  private int port;
  private List<Route> routes = List.of();
  private AllowedMethods allowed = AllowedMethods.of(List.of());

  private HttpVerticle(HttpSettings settings, int listenPort, EdgeParts parts) {
    this.settings = settings;
    this.listenPort = listenPort;
    this.parts = parts;
  }

  /**
   * Deploys {@link HttpSettings#serverInstances} servers on the configured port and returns the
   * first once all listen on that one port. Vert.x binds the port once and hands each new
   * connection to one of the servers in turn. Port 0 is asked for as port -1: Vert.x shares a free
   * port among the servers that ask for the same negative port, while servers asking for port 0
   * each bind a port of their own.
   */
  static Future<HttpVerticle> deploy(
      Vertx vertx, HttpSettings settings, int eventLoops, EdgeParts parts) {
    int listenPort = settings.port() == 0 ? SHARED_FREE_PORT : settings.port();
    List<HttpVerticle> made = Collections.synchronizedList(new ArrayList<>());
    Supplier<HttpVerticle> next =
        () -> {
          HttpVerticle server = new HttpVerticle(settings, listenPort, parts);
          made.add(server);
          return server;
        };
    return vertx
        .deployVerticle(
            next, new DeploymentOptions().setInstances(settings.serverInstances(eventLoops)))
        .compose(id -> onePort(made));
  }

  /** The first server, once every server is known to listen on its port. */
  private static Future<HttpVerticle> onePort(List<HttpVerticle> servers) {
    HttpVerticle first = servers.get(0);
    for (HttpVerticle server : servers) {
      if (server.port() != first.port()) {
        return Future.failedFuture(
            new IllegalStateException(
                "The HTTP servers listen on ports "
                    + first.port()
                    + " and "
                    + server.port()
                    + ", not on one port."));
      }
    }
    return Future.succeededFuture(first);
  }

  @Override
  public Future<?> start() {
    RequestGuard guard = new RequestGuard(vertx, settings.bodyTimeout());
    Router router = router(guard);
    routes = List.copyOf(router.getRoutes());
    allowed = AllowedMethods.of(routes);
    return vertx
        .createHttpServer(options())
        .requestHandler(request -> guard.handle(request, router))
        .invalidRequestHandler(RequestGuard::invalid)
        .connectionHandler(connection -> HeadGuard.install(connection, settings.headerTimeout()))
        // A client that goes away mid-request is routine, not an error of Sluice's.
        .exceptionHandler(e -> log.debug("An HTTP connection failed: {}", e.toString()))
        .listen(listenPort, settings.host())
        .onSuccess(server -> port = server.actualPort());
  }

  /**
   * HTTP/1 only: with cleartext HTTP/2 on, Vert.x makes the connection only once the first request
   * head has been read, too late for {@link HeadGuard} to time or check it.
   */
  private HttpServerOptions options() {
    return new HttpServerOptions()
        .setHttp2ClearTextEnabled(false)
        // A multipart part without a file name (an SDK uploading bytes) is a form attribute: let
        // it be as large as a body may be, instead of failing the request past 8 KiB.
        .setMaxFormAttributeSize((int) Math.min(Integer.MAX_VALUE, settings.maxBodyBytes()))
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

  private Router router(RequestGuard guard) {
    Router router = Router.router(vertx);
    Authenticator auth = parts.auth();
    router.route("/*").handler(SecurityHeaders::add);
    if (!auth.enabled()) {
      router.route("/*").handler(LoopbackGuard::host);
    }
    for (String prefix : new String[] {"/api/*", "/v1/*"}) {
      router.route(prefix).handler(auth);
      if (!auth.enabled()) {
        router.route(prefix).handler(LoopbackGuard::sameOrigin);
      }
    }
    router.route("/api/*").handler(guard.bodyTimer()).handler(new FormBodies());
    parts.batches().mountStreamed(router);
    router
        .route("/api/*")
        .handler(BodyHandler.create(false).setBodyLimit(settings.bufferedBodyBytes()));
    openAiBodies(router, guard);
    parts.batches().mount(router);
    parts.openAi().mount(router);
    parts.keys().mount(router);
    parts.health().mount(router);
    if (parts.metricsHere()) {
      if (auth.enabled()) {
        router.route("/metrics").handler(auth).handler(Authenticator::adminOnly);
      }
      parts.metrics().mount(router);
    }
    router
        .get("/openapi.yaml")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/yaml")
                    .sendFile("openapi.yaml"));
    router.route("/api/*").handler(ctx -> ctx.fail(noRoute(ctx)));
    router.route("/v1/*").handler(ctx -> OpenAiErrors.noRoute(ctx, noRoute(ctx)));
    router.route("/*").handler(StaticHandler.create("webroot"));
    router.route("/v1/*").failureHandler(OpenAiErrors::handle);
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, ctx -> Problems.send(ctx, noRoute(ctx)));
    for (int status : new int[] {400, 405, 413, 415, 500}) {
      router.errorHandler(status, Problems::handle);
    }
    return router;
  }

  /**
   * The bodies of the OpenAI face: an upload to {@code /v1/files} is streamed by the body handler
   * to a temporary file (deleted once answered) up to the body limit, every other body read into
   * memory up to the same smaller limit as under {@code /api}.
   */
  private void openAiBodies(Router router, RequestGuard guard) {
    router.route("/v1/*").handler(guard.bodyTimer()).handler(new FormBodies());
    router
        .post("/v1/files")
        .handler(
            BodyHandler.create(UploadFolder.path())
                .setBodyLimit(settings.maxBodyBytes())
                .setDeleteUploadedFilesOnEnd(true));
    router
        .route("/v1/batches*")
        .handler(BodyHandler.create(false).setBodyLimit(settings.bufferedBodyBytes()));
  }

  /** 405 with {@code Allow} when the path is served with other methods, else 404. */
  private Problem noRoute(RoutingContext ctx) {
    String method = ctx.request().method().name();
    String path = ctx.normalizedPath();
    Set<String> methods = allowed.at(path);
    if (methods.isEmpty()) {
      return path.startsWith("/api/") || path.startsWith("/v1/")
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
