package dev.sluice.api.v1;

import dev.sluice.batch.InvalidBatchException;
import dev.sluice.http.Problem;
import dev.sluice.http.Problems;
import io.vertx.ext.web.RoutingContext;
import org.jspecify.annotations.Nullable;

/**
 * The failure handler of {@code /v1}: every failed request there is answered in OpenAI's error
 * shape, so the SDKs raise their typed errors (400 BadRequest, 404 NotFound, 409 Conflict, 429
 * RateLimit, …). An {@link OpenAiError} is sent as it is; anything else is first judged as under
 * {@code /api} ({@link Problems#of}: its status, the 503 of an unreachable database, the 500 of a
 * bug, logged once), and a 422 becomes OpenAI's 400.
 */
public final class OpenAiErrors {

  private OpenAiErrors() {}

  public static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    OpenAiError error =
        failure instanceof OpenAiError e
            ? e
            : failure instanceof InvalidBatchException invalid
                ? OpenAiError.badRequest(String.valueOf(invalid.getMessage()), invalid.field())
                : fromProblem(Problems.of(ctx));
    if (error != null) {
      send(ctx, error);
    }
  }

  /** Answers a path under {@code /v1} that no route serves (404, or 405 with {@code Allow}). */
  public static void noRoute(RoutingContext ctx, Problem problem) {
    OpenAiError error = fromProblem(problem);
    if (error != null) {
      send(ctx, error);
    }
  }

  private static @Nullable OpenAiError fromProblem(@Nullable Problem p) {
    if (p == null) {
      return null;
    }
    int status = p.status() == 422 ? 400 : p.status();
    Object field = p.extra("field");
    String type =
        status == 429
            ? "rate_limit_error"
            : status >= 500 ? "server_error" : OpenAiError.INVALID_REQUEST;
    String code = status >= 500 || status == 400 ? null : p.type().replace('-', '_');
    return new OpenAiError(
        status, type, p.detail(), field == null ? null : String.valueOf(field), code);
  }

  private static void send(RoutingContext ctx, OpenAiError error) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .end(error.toJson().encode());
  }
}
