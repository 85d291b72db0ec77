package dev.sluice.http;

import dev.sluice.db.DatabaseFailures;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The one failure handler of the router: turns every failed request into an {@code
 * application/problem+json} answer. A {@link Problem} keeps its status; a body over the limit is a
 * 413; a database that cannot be reached is a 503 with {@code Retry-After}; a client that went away
 * gets nothing; anything else is a bug, logged once, and a 500.
 */
public final class Problems {

  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";

  /** Seconds a client should wait before trying again while the database is away. */
  static final String DATABASE_RETRY_AFTER = "5";

  /** An outage is logged once a minute at most, not once per request. */
  private static final long WARN_EVERY_NANOS = 60_000_000_000L;

  private static final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  private Problems() {}

  public static void handle(RoutingContext ctx) {
    Problem problem = of(ctx);
    if (problem != null) {
      send(ctx, problem);
    }
  }

  /**
   * The problem a failed request is answered with, or null when there is no one to answer (the
   * client went away, or the response is already sent). Other edges (the OpenAI face) render it in
   * their own shape.
   */
  public static @Nullable Problem of(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed() || isDisconnect(ctx, failure)) {
      log.debug("The client went away during {} {}", ctx.request().method(), ctx.request().path());
      return null;
    }
    if (isBrokenBody(ctx, failure)) {
      log.debug(
          "The body of {} {} broke its HTTP framing; the connection is closed: {}",
          ctx.request().method(),
          ctx.request().path(),
          reason(failure));
      return null;
    }
    return problem(ctx, failure);
  }

  private static Problem problem(RoutingContext ctx, @Nullable Throwable failure) {
    if (failure instanceof Problem p) {
      return p;
    } else if (ctx.statusCode() == 413) {
      return Problem.tooLarge("The request body is larger than this server accepts.");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      return new Problem(
          ctx.statusCode(),
          "http-" + ctx.statusCode(),
          "Request not accepted",
          "The request was not accepted (" + ctx.statusCode() + ").");
    } else if (DatabaseFailures.isUnavailable(failure)) {
      return databaseUnavailable(ctx, failure);
    }
    LoggingEventBuilder line = log.atError().setCause(failure);
    String batch = ctx.pathParam("batchId");
    if (batch != null) {
      line = line.addKeyValue("batch", batch);
    }
    line.log("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path());
    return new Problem(
        500, "internal", "Internal error", "Sluice hit an unexpected error; it has been logged.");
  }

  /** A 503 with {@code Retry-After}; the outage is logged at WARN, once a minute at most. */
  private static Problem databaseUnavailable(RoutingContext ctx, @Nullable Throwable failure) {
    long now = System.nanoTime();
    long last = lastWarned.get();
    if (now - last >= WARN_EVERY_NANOS && lastWarned.compareAndSet(last, now)) {
      log.warn("The database cannot be reached; answering 503 until it can: {}", reason(failure));
    }
    ctx.response().putHeader("Retry-After", DATABASE_RETRY_AFTER);
    return new Problem(
        503,
        "database-unavailable",
        "Database unavailable",
        "Sluice cannot reach its database right now; try again in a few seconds.");
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

  /**
   * Answers a request outside the router (refused before it, or by the HTTP layer itself) and
   * closes its connection; {@code instance} is left out when the request line could not be read.
   */
  public static void sendAndClose(
      HttpServerRequest request, Problem problem, @Nullable String instance) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response
        .setStatusCode(problem.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("Connection", "close")
        .end(problem.toJson(instance).encode())
        .onComplete(done -> request.connection().close());
  }

  /**
   * Whether the failure is the client going away: its connection closed, or broken while its body
   * was still arriving (the database is only asked once a body has fully arrived).
   */
  private static boolean isDisconnect(RoutingContext ctx, @Nullable Throwable failure) {
    return failure instanceof HttpClosedException
        || (failure instanceof IOException && !ctx.request().isEnded())
        || (failure != null && "Connection was closed".equals(failure.getMessage()));
  }

  /**
   * Whether the body's own HTTP framing broke (a chunk size that is not hexadecimal, a chunk larger
   * than the server reads): the HTTP layer refuses it as it decodes the body, closes the connection
   * and leaves no response to send. The client sent something that is not HTTP; it is not an error
   * of Sluice's.
   */
  private static boolean isBrokenBody(RoutingContext ctx, @Nullable Throwable failure) {
    if (failure == null || ctx.request().isEnded()) {
      return false;
    }
    for (StackTraceElement frame : failure.getStackTrace()) {
      if (frame.getClassName().equals(HttpObjectDecoder.class.getName())) {
        return true;
      }
    }
    return false;
  }

  private static String reason(@Nullable Throwable failure) {
    Throwable root = failure;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == null ? "unknown" : root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
