package dev.sluice.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Stands in front of the router for every request: a query string that is not well-formed
 * percent-encoded UTF-8 is a 400, and a request whose body has not fully arrived within the body
 * timeout is answered 408 and its connection closed. {@link #invalid} answers what the HTTP layer
 * itself refused (bad framing 400, URI too long 414, headers too large 431, an unknown HTTP version
 * 505), all as problems.
 */
public final class RequestGuard {

  private final Vertx vertx;
  private final Duration bodyTimeout;

  public RequestGuard(Vertx vertx, Duration bodyTimeout) {
    this.vertx = vertx;
    this.bodyTimeout = bodyTimeout;
  }

  /** Refuses a request whose path or query is not well-formed, else hands it on. */
  public void handle(HttpServerRequest request, Handler<HttpServerRequest> next) {
    String bad = escapesProblem(request.path(), "path");
    if (bad == null) {
      bad = queryProblem(request.query());
    }
    if (bad != null) {
      Problems.sendAndClose(request, Problem.badRequest(bad), request.path());
      return;
    }
    next.handle(request);
  }

  /**
   * The route handler that times a request's body: a request that has one and has not sent it all
   * within the body timeout is answered 408 and closed. The timer ends with the request. It is a
   * platform handler, so it runs before the body handler starts reading.
   */
  public PlatformHandler bodyTimer() {
    return new PlatformHandler() {
      @Override
      public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (expectsBody(request)) {
          long timer = vertx.setTimer(bodyTimeout.toMillis(), id -> bodyTimedOut(request));
          ctx.addEndHandler(ar -> vertx.cancelTimer(timer));
        }
        ctx.next();
      }
    };
  }

  /** Answers a request the HTTP decoder refused, saying why, and closes the connection. */
  public static void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem;
    if (cause instanceof HeadGuard.UnsupportedVersion version) {
      problem =
          new Problem(
              505,
              "http-version-not-supported",
              "HTTP version not supported",
              "Sluice speaks HTTP/1.1 and HTTP/1.0 here, not " + version.getMessage() + ".");
    } else if (cause instanceof TooLongHttpLineException) {
      problem =
          new Problem(
              414, "uri-too-long", "URI too long", "The request line is longer than Sluice reads.");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem =
          new Problem(
              431,
              "headers-too-large",
              "Request headers too large",
              "The request headers are larger than Sluice reads.");
    } else {
      problem = Problem.badRequest("The request is not well-formed HTTP/1.1.");
    }
    Problems.sendAndClose(request, problem, null);
  }

  private void bodyTimedOut(HttpServerRequest request) {
    if (request.isEnded()) {
      return;
    }
    Problems.sendAndClose(
        request,
        new Problem(
            408,
            "request-timeout",
            "Request timeout",
            "The request body did not arrive within "
                + bodyTimeout.toMillis()
                + " ms; send the request again."),
        request.path());
  }

  private static boolean expectsBody(HttpServerRequest request) {
    if (request.headers().contains("Transfer-Encoding")) {
      return true;
    }
    String length = request.getHeader("Content-Length");
    return length != null && !length.trim().equals("0");
  }

  /** Why the raw query string is not well-formed percent-encoded UTF-8, or null when it is. */
  static @Nullable String queryProblem(@Nullable String query) {
    return escapesProblem(query, "query string");
  }

  /** Why a raw path or query is not well-formed percent-encoded UTF-8, or null when it is. */
  static @Nullable String escapesProblem(@Nullable String raw, String what) {
    if (raw == null) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        bytes.write(c);
      } else if (i + 2 < raw.length() && hex(raw.charAt(i + 1)) && hex(raw.charAt(i + 2))) {
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        return "The " + what + " has a % that does not start a %XX escape; write a % as %25.";
      }
    }
    return Utf8Text.decode(bytes.toByteArray()) == null
        ? "The " + what + " is not UTF-8 once its %XX escapes are decoded."
        : null;
  }

  private static boolean hex(char c) {
    return Character.digit(c, 16) >= 0 && c < 128;
  }
}
