package dev.sluice.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One open server-sent event stream (the WHATWG {@code text/event-stream} format) on an HTTP
 * response: it writes events and keeps the connection alive with comment lines until the client
 * goes away, then runs the close actions once. Use it on the response's own context.
 */
public final class EventStream {

  /** The media type of the stream. UTF-8 is the only encoding the format allows. */
  public static final String CONTENT_TYPE = "text/event-stream";

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final List<Runnable> onClose = new ArrayList<>();
  private final long heartbeatTimer;
  private boolean closed;

  private EventStream(RoutingContext ctx, Duration heartbeat, Duration retry) {
    this.vertx = ctx.vertx();
    this.response = ctx.response();
    response
        .setChunked(true)
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("Cache-Control", "no-store")
        // Tells buffering reverse proxies (nginx) to pass events on at once.
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> close());
    response.exceptionHandler(e -> close());
    write("retry: " + retry.toMillis() + "\n\n");
    heartbeatTimer = vertx.setPeriodic(heartbeat.toMillis(), id -> write(": keep-alive\n\n"));
  }

  /**
   * Starts the stream on this request: sends the headers and the client's reconnection delay, then
   * a comment every {@code heartbeat} so idle proxies and the client keep the connection open.
   */
  public static EventStream open(RoutingContext ctx, Duration heartbeat, Duration retry) {
    return new EventStream(ctx, heartbeat, retry);
  }

  /** Runs {@code action} once, when the client disconnects or the stream is closed. */
  public EventStream onClose(Runnable action) {
    if (closed) {
      action.run();
    } else {
      onClose.add(action);
    }
    return this;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Sends one event; {@code id}, when present, becomes the client's {@code Last-Event-ID}. Each
   * line of {@code data} is sent as its own {@code data:} field, as the format requires.
   */
  public Future<Void> send(String event, @Nullable String id, String data) {
    StringBuilder out = new StringBuilder();
    if (id != null) {
      out.append("id: ").append(id).append('\n');
    }
    out.append("event: ").append(event).append('\n');
    for (String line : data.split("\r\n|\r|\n", -1)) {
      out.append("data: ").append(line).append('\n');
    }
    return write(out.append('\n').toString());
  }

  /** Ends the response and runs the close actions; later sends are dropped. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    vertx.cancelTimer(heartbeatTimer);
    onClose.forEach(Runnable::run);
    onClose.clear();
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }

  private Future<Void> write(String text) {
    if (closed || response.closed()) {
      return Future.succeededFuture();
    }
    return response.write(text);
  }
}
