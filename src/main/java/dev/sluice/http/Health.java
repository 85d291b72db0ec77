package dev.sluice.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The probes: {@code /health/live} answers while the process serves HTTP; {@code /health/ready}
 * runs every named check and answers 200 only when all are up, else 503, with each check's state.
 * Checks run afresh on every call, so readiness follows the database down and back up without a
 * restart. A check that does not apply to this process (the cluster, on a single node) is listed as
 * {@code NOT_APPLICABLE}, with why, and does not count.
 */
public final class Health {

  /** Each check's state and detail, in the order the checks were added. */
  public record Report(boolean up, Map<String, JsonObject> checks) {

    public JsonObject toJson() {
      JsonObject all = new JsonObject();
      checks.forEach(all::put);
      return new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", all);
    }

    /** Each counted check by name: up or not. */
    public Map<String, Boolean> states() {
      Map<String, Boolean> out = new LinkedHashMap<>();
      checks.forEach(
          (name, state) -> {
            if (!"NOT_APPLICABLE".equals(state.getString("status"))) {
              out.put(name, "UP".equals(state.getString("status")));
            }
          });
      return out;
    }
  }

  private final Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
  private final Map<String, String> notApplicable = new LinkedHashMap<>();

  /** Adds a readiness check; a failed or slow (2 s) future counts as down. */
  public Health check(String name, Supplier<Future<?>> check) {
    checks.put(name, check);
    return this;
  }

  /** Lists a check that does not apply to this process, and why; it does not count. */
  public Health notApplicable(String name, String why) {
    notApplicable.put(name, why);
    return this;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> send(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
  }

  /** Runs every check now. */
  public Future<Report> run() {
    List<String> names = new ArrayList<>();
    List<Future<?>> running = new ArrayList<>();
    checks.forEach(
        (name, check) -> {
          names.add(name);
          running.add(safely(check).timeout(2, TimeUnit.SECONDS));
        });
    return Future.join(running)
        .transform(
            ar -> {
              Map<String, JsonObject> results = new LinkedHashMap<>();
              for (int i = 0; i < names.size(); i++) {
                Future<?> done = running.get(i);
                results.put(names.get(i), state(done));
              }
              notApplicable.forEach(
                  (name, why) ->
                      results.put(
                          name,
                          new JsonObject().put("status", "NOT_APPLICABLE").put("detail", why)));
              return Future.succeededFuture(new Report(ar.succeeded(), results));
            });
  }

  private void ready(RoutingContext ctx) {
    run().onSuccess(report -> send(ctx, report.up() ? 200 : 503, report.toJson()));
  }

  private static Future<?> safely(Supplier<Future<?>> check) {
    try {
      return check.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** A check's state; a check that succeeds with a text reports it as its detail. */
  private static JsonObject state(Future<?> done) {
    JsonObject json = new JsonObject().put("status", done.succeeded() ? "UP" : "DOWN");
    if (done.succeeded()) {
      return done.result() instanceof String detail ? json.put("detail", detail) : json;
    }
    Throwable cause = done.cause();
    return json.put("detail", cause == null ? "down" : String.valueOf(cause.getMessage()));
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store");
    ctx.end(body.encode());
  }
}
