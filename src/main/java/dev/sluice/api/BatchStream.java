package dev.sluice.api;

import dev.sluice.auth.Principal;
import dev.sluice.batch.BatchChanges;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.Batches;
import dev.sluice.http.EventStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/generation/batch/:batchId/stream}: the batch as server-sent events. A {@code
 * batch} event (the same JSON as {@code GET /batch/:batchId}, with the batch's version as the event
 * id) goes out on connect and after every stored change, at most once per {@code minInterval}; each
 * transition seen meanwhile goes out first as a {@code transition} event. A client that reconnects
 * with {@code Last-Event-ID} gets the state only if it is newer than the one it had.
 *
 * <p>Changes only wake a watcher: what it sends is read from the database, so an event never shows
 * a state that is not stored, and the latest state always goes out even when many changes are
 * coalesced into one event.
 */
final class BatchStream {

  private static final Logger log = LoggerFactory.getLogger(BatchStream.class);
  private static final Duration MAX_HEARTBEAT = Duration.ofSeconds(15);
  private static final Duration RETRY = Duration.ofSeconds(2);

  private final Batches batches;
  private final Function<BatchRecord, JsonObject> view;
  private final Duration minInterval;
  private final Duration heartbeat;

  /**
   * A stream sends a comment every 15 s, or every third of the server's idle timeout when that is
   * shorter, so an open stream is never idle long enough to be closed.
   */
  BatchStream(
      Batches batches,
      Function<BatchRecord, JsonObject> view,
      Duration minInterval,
      Duration idleTimeout) {
    this.view = view;
    this.batches = batches;
    this.minInterval = minInterval;
    Duration third = idleTimeout.dividedBy(3);
    this.heartbeat = third.compareTo(MAX_HEARTBEAT) < 0 ? third : MAX_HEARTBEAT;
  }

  void handle(RoutingContext ctx) {
    UUID id = BatchRoutes.batchId(ctx);
    long lastSeen = lastEventId(ctx);
    Watch watch = new Watch(ctx.vertx(), id, Principal.of(ctx).scope(), lastSeen);
    // Subscribe before reading, so no change can slip between the first read and the first event.
    watch
        .subscribe()
        .compose(v -> batches.find(id, watch.scope))
        .onSuccess(
            found -> {
              if (ctx.response().closed()) {
                watch.stop(); // the client left before the stream opened
              } else if (found.isEmpty()) {
                watch.stop();
                ctx.fail(BatchRoutes.missing(id));
              } else {
                watch.start(EventStream.open(ctx, heartbeat, RETRY), found.get());
              }
            })
        .onFailure(
            e -> {
              watch.stop();
              ctx.fail(e);
            });
  }

  private static long lastEventId(RoutingContext ctx) {
    String raw = ctx.request().getHeader("Last-Event-ID");
    if (raw == null) {
      return 0;
    }
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      return 0; // not one of ours: start from the current state
    }
  }

  /** One client watching one batch: a leading- and trailing-edge throttle over its changes. */
  private final class Watch {
    private final Vertx vertx;
    private final UUID id;
    private final @Nullable String scope;
    private final MessageConsumer<JsonObject> consumer;
    private final List<JsonObject> transitions = new ArrayList<>();
    private @Nullable EventStream stream;
    private long sentVersion;
    private long lastFlush;
    private long timer = -1;
    private boolean flushing;
    private boolean dirty;

    Watch(Vertx vertx, UUID id, @Nullable String scope, long sentVersion) {
      this.vertx = vertx;
      this.id = id;
      this.scope = scope;
      this.sentVersion = sentVersion;
      this.consumer = vertx.eventBus().consumer(BatchChanges.address(id));
    }

    Future<Void> subscribe() {
      consumer.handler(this::onChange);
      return consumer.completion();
    }

    void start(EventStream stream, BatchRecord current) {
      this.stream = stream;
      stream.onClose(this::stop);
      lastFlush = now();
      send(current);
      if (dirty) {
        schedule();
      }
    }

    void stop() {
      consumer.unregister();
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    private void onChange(Message<JsonObject> message) {
      JsonObject change = message.body();
      JsonArray moves = change.getJsonArray("transitions", new JsonArray());
      moves.forEach(t -> transitions.add((JsonObject) t));
      if (change.getLong("version", 0L) > sentVersion || !moves.isEmpty()) {
        dirty = true;
        schedule();
      }
    }

    private void schedule() {
      EventStream s = stream;
      if (s == null || s.isClosed() || flushing || timer != -1) {
        return; // not started yet, or a flush is under way or due: it will pick this change up
      }
      long wait = lastFlush + minInterval.toMillis() - now();
      if (wait <= 0) {
        flush();
      } else {
        timer = vertx.setTimer(wait, t -> flush());
      }
    }

    private void flush() {
      timer = -1;
      flushing = true;
      dirty = false;
      batches
          .find(id, scope)
          .onComplete(
              read -> {
                flushing = false;
                lastFlush = now();
                if (read.failed() || read.result().isEmpty()) {
                  log.warn(
                      "batch={} stream closed: {}",
                      id,
                      read.failed() ? read.cause().getMessage() : "the batch is gone");
                  close(); // the client reconnects and starts from the stored state
                  return;
                }
                send(read.result().get());
                if (dirty) {
                  schedule();
                }
              });
    }

    private void send(BatchRecord current) {
      EventStream s = stream;
      if (s == null) {
        return;
      }
      for (JsonObject t : transitions) {
        s.send("transition", null, t.encode());
      }
      transitions.clear();
      if (current.version() > sentVersion) {
        sentVersion = current.version();
        s.send("batch", String.valueOf(sentVersion), view.apply(current).encode());
      }
    }

    private void close() {
      EventStream s = stream;
      if (s != null) {
        s.close();
      }
    }

    private long now() {
      return System.nanoTime() / 1_000_000;
    }
  }
}
