package dev.sluice.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The one failure handler of the router: turns every failed request into an {@code
 * application/problem+json} answer. A {@link Problem} keeps its status; malformed JSON is a 400; a
 * body over the limit a 413; anything else is a bug, logged once, and a 500.
 */
public final class Problems {

  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {}

  public static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    Problem problem;
    if (failure instanceof Problem p) {
      problem = p;
    } else if (failure instanceof DecodeException) {
      problem = Problem.badRequest("The request body is not valid JSON.");
    } else if (ctx.statusCode() == 413) {
      problem = Problem.tooLarge("The request body is larger than this server accepts.");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      problem =
          new Problem(
              ctx.statusCode(),
              "http-" + ctx.statusCode(),
              "Request not accepted",
              "The request was not accepted (" + ctx.statusCode() + ").");
    } else {
      LoggingEventBuilder line = log.atError().setCause(failure);
      String batch = ctx.pathParam("batchId");
      if (batch != null) {
        line = line.addKeyValue("batch", batch);
      }
      line.log("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path());
      problem =
          new Problem(
              500,
              "internal",
              "Internal error",
              "Sluice hit an unexpected error; it has been logged.");
    }
    send(ctx, problem);
  }

  public static void send(RoutingContext ctx, Problem problem) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    response
        .setStatusCode(problem.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(problem.toJson(ctx.request().path()).encode());
  }
}
