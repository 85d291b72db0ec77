package dev.sluice.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request body as it arrives instead of buffering it, for a route that parses as it reads:
 * each piece is counted against the body limit, added to a SHA-256 of the request and checked as
 * UTF-8 ({@link Utf8Stream}), then handed to a {@link Sink}; while the sink is busy with a piece
 * the request is paused, so a slow database slows the client instead of filling memory. It does
 * what the body handler does for buffered routes: 413 for a declared or actual length over the
 * limit, {@code 100 Continue} when asked for. Once a piece is refused the rest is read and dropped,
 * so the answer can be sent on the same connection.
 */
public final class StreamedBody {

  /** Takes the body a piece at a time, every piece well-formed UTF-8 so far. */
  public interface Sink {
    /**
     * The next piece; a future not yet complete holds the request back until it completes, a failed
     * one ends the read with its failure (the 413 for too many items, say).
     */
    Future<Void> piece(byte[] bytes);
  }

  /**
   * The body as read: its length, and the SHA-256 (hex) of the hash prefix followed by it, when one
   * was asked for.
   */
  public record Read(long length, @Nullable String sha256) {}

  private final HttpServerRequest request;
  private final long limit;
  private final Sink sink;
  private final @Nullable MessageDigest digest;
  private final Utf8Stream utf8 = new Utf8Stream("The request body");
  private final Promise<Read> done = Promise.promise();
  private long length;
  private boolean refused;

  private StreamedBody(
      HttpServerRequest request, long limit, @Nullable String hashPrefix, Sink sink) {
    this.request = request;
    this.limit = limit;
    this.sink = sink;
    this.digest = hashPrefix == null ? null : sha256();
    if (digest != null && hashPrefix != null) {
      digest.update(hashPrefix.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Reads the request's body into {@code sink}, hashing it after {@code hashPrefix} unless that is
   * null (a hash costs a pass over every byte). Succeeds once it has all arrived and is UTF-8;
   * fails with a {@link Problem} (400 not UTF-8, 413 over {@code limit}: the latter as soon as it
   * is known, while the rest is still being read and dropped), or with the connection's failure
   * when the client goes away.
   */
  public static Future<Read> read(
      RoutingContext ctx, long limit, @Nullable String hashPrefix, Sink sink) {
    return new StreamedBody(ctx.request(), limit, hashPrefix, sink).start(ctx);
  }

  private Future<Read> start(RoutingContext ctx) {
    Problem refusal = refusalByHeaders();
    if (refusal != null) {
      return Future.failedFuture(refusal);
    }
    if (request.isEnded()) {
      end();
      return done.future();
    }
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))
        && request.version() != HttpVersion.HTTP_1_0) {
      ctx.response().writeContinue();
    }
    request.handler(this::piece).endHandler(v -> end()).exceptionHandler(done::tryFail).resume();
    return done.future();
  }

  /** What the head alone refuses: a declared length over the limit, an unknown expectation. */
  private @Nullable Problem refusalByHeaders() {
    String declared = request.getHeader("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          return tooLarge();
        }
      } catch (NumberFormatException e) {
        // the HTTP decoder has refused such a request already
      }
    }
    String expect = request.getHeader("Expect");
    if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
      return new Problem(
          417,
          "http-417",
          "Request not accepted",
          "The request was not accepted (417): Sluice meets only the expectation 100-continue.");
    }
    return null;
  }

  private void piece(Buffer buffer) {
    if (done.future().isComplete()) {
      return; // refused already: the rest is dropped
    }
    byte[] bytes = buffer.getBytes();
    length += bytes.length;
    if (length > limit) {
      done.tryFail(tooLarge());
      return;
    }
    if (digest != null) {
      digest.update(bytes);
    }
    if (!utf8.check(bytes, 0, bytes.length)) {
      refused = true;
    }
    if (refused) {
      return; // read to the end before answering, as a buffered body would be
    }
    Future<Void> taken;
    try {
      taken = sink.piece(bytes);
    } catch (RuntimeException e) {
      done.tryFail(e); // a bug of the sink's: answered as one, the rest dropped
      return;
    }
    if (taken.isComplete()) {
      refuseIfFailed(taken);
    } else {
      request.pause();
      taken.onComplete(
          ar -> {
            refuseIfFailed(taken);
            request.resume();
          });
    }
  }

  /** A sink that refuses a piece (with a 413, say) ends the read: the rest is dropped. */
  private void refuseIfFailed(Future<Void> taken) {
    if (taken.failed()) {
      done.tryFail(taken.cause());
    }
  }

  private void end() {
    if (!utf8.end()) {
      done.tryFail(java.util.Objects.requireNonNull(utf8.problem()));
    } else {
      done.tryComplete(
          new Read(length, digest == null ? null : HexFormat.of().formatHex(digest.digest())));
    }
  }

  private static Problem tooLarge() {
    return Problem.tooLarge("The request body is larger than this server accepts.");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
