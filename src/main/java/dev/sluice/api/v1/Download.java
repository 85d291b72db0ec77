package dev.sluice.api.v1;

import dev.sluice.batch.Page;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file's content sent as it is read: a page of lines is read from the database, written, and the
 * next page read only once the write is done, so a large file is never held in memory and a slow
 * client slows the download rather than filling the server's buffers.
 */
final class Download {

  private static final Logger log = LoggerFactory.getLogger(Download.class);

  /** Reads the page after a position. */
  interface Reader<T> extends Function<Integer, Future<Page<T>>> {}

  private Download() {}

  /**
   * Hands every page, in order, to {@code sink}; {@code next} gives the position after a page.
   * Completes when the last page was taken.
   */
  static <T> Future<Void> walk(
      Reader<T> read,
      BiFunction<Integer, List<T>, Integer> next,
      Function<List<T>, Future<Void>> sink,
      int from) {
    return read.apply(from)
        .compose(
            page ->
                sink.apply(page.data())
                    .compose(
                        v ->
                            page.more()
                                ? walk(read, next, sink, next.apply(from, page.data()))
                                : Future.succeededFuture()));
  }

  /**
   * The name with anything a quoted header value cannot hold (quotes, controls, non-ASCII) as _.
   */
  static String headerSafe(String name) {
    StringBuilder out = new StringBuilder(name.length());
    name.chars()
        .forEach(c -> out.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '_' : (char) c));
    return out.toString();
  }

  /** Streams what {@code body} writes as a JSON Lines attachment named {@code filename}. */
  static void send(
      RoutingContext ctx,
      String filename,
      Function<Function<Buffer, Future<Void>>, Future<Void>> body) {
    HttpServerResponse response = ctx.response();
    response
        .setChunked(true)
        .putHeader("Content-Type", "application/octet-stream")
        .putHeader("Content-Disposition", "attachment; filename=\"" + headerSafe(filename) + "\"");
    body.apply(
            chunk ->
                response.closed()
                    ? Future.failedFuture("the client went away")
                    : response.write(chunk))
        .onSuccess(v -> response.end())
        .onFailure(
            e -> {
              if (!response.headWritten()) {
                ctx.fail(e);
              } else if (!response.closed()) {
                // Too late for an error body: break the connection so the client sees a failed
                // download.
                log.warn("The download of {} broke off: {}", filename, e.getMessage());
                response.reset();
              }
            });
  }
}
