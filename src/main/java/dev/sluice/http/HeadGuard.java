package dev.sluice.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards an HTTP/1 connection where its request heads are decoded: a client that takes longer than
 * the header timeout from the first byte of a request head to its end is cut off, and a request
 * line naming an HTTP version other than 1.0 or 1.1 is marked invalid, so it is answered 505 by
 * {@link RequestGuard#invalid}. Vert.x offers neither, so this reaches into the connection's Netty
 * pipeline; a connection without Vert.x's {@code httpDecoder} (HTTP/2) is left alone.
 */
public final class HeadGuard {

  private static final Logger log = LoggerFactory.getLogger(HeadGuard.class);
  private static final String DECODER = "httpDecoder";

  private HeadGuard() {}

  /** Why a request was refused: its request line names an HTTP version Sluice does not speak. */
  static final class UnsupportedVersion extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnsupportedVersion(String version) {
      super(version, null, false, false);
    }
  }

  /** Installs the guard on a new connection (from {@code HttpServer.connectionHandler}). */
  public static void install(HttpConnection connection, Duration headerTimeout) {
    if (!(connection instanceof HttpServerConnection server)) {
      return;
    }
    ChannelPipeline pipeline = server.channelHandlerContext().pipeline();
    if (pipeline.get(DECODER) == null) {
      return;
    }
    Head head = new Head(headerTimeout.toMillis());
    pipeline.addBefore(DECODER, "sluiceHeadClock", head.clock());
    pipeline.addAfter(DECODER, "sluiceHeadCheck", head.check());
  }

  /** One connection's state: whether a head is awaited, and the timer running while one arrives. */
  private static final class Head {
    private final long timeoutMillis;
    private boolean awaited = true;
    private @Nullable ScheduledFuture<?> timer;

    Head(long timeoutMillis) {
      this.timeoutMillis = timeoutMillis;
    }

    /** Sees the raw bytes: the first byte of an awaited head starts the clock. */
    ChannelInboundHandlerAdapter clock() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (awaited && timer == null) {
            timer =
                ctx.executor().schedule(() -> cutOff(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
          }
          ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          stop();
          ctx.fireChannelInactive();
        }
      };
    }

    /** Sees decoded messages: a head stops the clock; the end of its body awaits the next head. */
    ChannelInboundHandlerAdapter check() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof HttpRequest request) {
            awaited = false;
            stop();
            refuseUnknownVersion(request);
          }
          if (msg instanceof LastHttpContent) {
            awaited = true;
          }
          ctx.fireChannelRead(msg);
        }
      };
    }

    private void cutOff(ChannelHandlerContext ctx) {
      timer = null;
      log.debug("Closing {}: no complete request head in {} ms", ctx.channel(), timeoutMillis);
      ChannelFuture unused = ctx.channel().close();
    }

    private void stop() {
      ScheduledFuture<?> running = timer;
      timer = null;
      if (running != null) {
        running.cancel(false);
      }
    }
  }

  // By identity, as Vert.x tells the versions it serves: any other version object is refused.
  @SuppressWarnings("ReferenceEquality")
  private static void refuseUnknownVersion(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (version == HttpVersion.HTTP_1_1
        || version == HttpVersion.HTTP_1_0
        || !request.decoderResult().isSuccess()) {
      return;
    }
    // Answered in HTTP/1.1, the version this connection speaks, with the failure saying why.
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    request.setDecoderResult(DecoderResult.failure(new UnsupportedVersion(version.text())));
  }
}
