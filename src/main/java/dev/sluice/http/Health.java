package dev.sluice.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The probes: {@code /health/live} answers while the process serves HTTP; {@code /health/ready}
 * runs every named check and answers 200 only when all are up, else 503, with each check's state.
 */
public final class Health {

  private final Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();

  /** Adds a readiness check; a failed or slow (2 s) future counts as down. */
  public Health check(String name, Supplier<Future<?>> check) {
    checks.put(name, check);
    return this;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> send(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    JsonObject results = new JsonObject();
    Future<?>[] all =
        checks.entrySet().stream()
            .map(
                e ->
                    safely(e.getValue())
                        .timeout(2, TimeUnit.SECONDS)
                        .andThen(ar -> results.put(e.getKey(), check(ar.succeeded(), ar.cause()))))
            .toArray(Future<?>[]::new);
    Future.join(java.util.List.of(all))
        .onComplete(
            ar -> {
              boolean up = ar.succeeded();
              send(
                  ctx,
                  up ? 200 : 503,
                  new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", results));
            });
  }

  private static Future<?> safely(Supplier<Future<?>> check) {
    try {
      return check.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static JsonObject check(boolean up, Throwable cause) {
    JsonObject json = new JsonObject().put("status", up ? "UP" : "DOWN");
    return up ? json : json.put("detail", String.valueOf(cause.getMessage()));
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store");
    ctx.end(body.encode());
  }
}
