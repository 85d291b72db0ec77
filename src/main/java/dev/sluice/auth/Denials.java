package dev.sluice.auth;

import dev.sluice.http.Problem;
import dev.sluice.http.Problems;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a refused request in the shape its path speaks: OpenAI's {@code {"error": {message, type,
 * param, code}}} under {@code /v1}, {@code application/problem+json} everywhere else. A 401 carries
 * {@code WWW-Authenticate: Bearer}; a 429 carries {@code Retry-After}.
 */
public final class Denials {

  private Denials() {}

  public static void send(RoutingContext ctx, AuthFailure failure) {
    if (ctx.response().ended()) {
      return;
    }
    if (failure.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"sluice\"");
    } else if (failure.status() == 429) {
      ctx.response().putHeader("Retry-After", String.valueOf(failure.retryAfterSeconds()));
    }
    if (ctx.request().path().startsWith("/v1/")) {
      ctx.response()
          .setStatusCode(failure.status())
          .putHeader("Content-Type", "application/json")
          .end(openAi(failure).encode());
    } else {
      Problems.send(ctx, problem(failure));
    }
  }

  private static Problem problem(AuthFailure failure) {
    return switch (failure.status()) {
      case 401 -> new Problem(401, "unauthorized", "Authentication required", failure.detail());
      case 403 -> new Problem(403, "forbidden", "Not allowed", failure.detail());
      default ->
          new Problem(429, "rate-limited", "Too many requests", failure.detail())
              .with("retryAfterSeconds", failure.retryAfterSeconds());
    };
  }

  private static JsonObject openAi(AuthFailure failure) {
    String type;
    String code;
    switch (failure.status()) {
      case 401 -> {
        type = "invalid_request_error";
        code = "invalid_api_key";
      }
      case 403 -> {
        type = "invalid_request_error";
        code = "forbidden";
      }
      default -> {
        type = "requests";
        code = "rate_limit_exceeded";
      }
    }
    return new JsonObject()
        .put(
            "error",
            new JsonObject()
                .put("message", failure.detail())
                .put("type", type)
                .putNull("param")
                .put("code", code));
  }
}
