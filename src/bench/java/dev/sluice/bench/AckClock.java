package dev.sluice.bench;

import dev.sluice.batch.ControlRequest;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notes the moment a batch's runner acknowledges a pause: an outbound event-bus interceptor sees
 * the pause request to {@code sluice.batch.<id>} (and its reply address) and then the reply the
 * runner sends once the pause is stored. That moment precedes the HTTP response (which re-reads the
 * batch first), so dispatches counted after it are a stricter test than after the response. The
 * moment the request was put on the event bus is noted too, which splits the pause's time into the
 * HTTP side before the runner and the runner's own (reaching its context, storing the pause).
 */
final class AckClock implements Handler<DeliveryContext<Object>> {

  private static final String PREFIX = "sluice.batch.";

  /** When a pause was put on the event bus, and when its runner replied. */
  record Ack(long sentNanos, long repliedNanos) {}

  private record Sent(String batchId, long nanos) {}

  private final Map<String, Sent> pendingReplies = new ConcurrentHashMap<>();
  private final Map<String, Ack> acks = new ConcurrentHashMap<>();

  @Override
  public void handle(DeliveryContext<Object> ctx) {
    Message<Object> m = ctx.message();
    String address = m.address();
    if (address != null && address.startsWith(PREFIX)) {
      if (ctx.body() instanceof ControlRequest r
          && r.command().equals("pause")
          && m.replyAddress() != null) {
        pendingReplies.put(
            m.replyAddress(), new Sent(address.substring(PREFIX.length()), System.nanoTime()));
      }
    } else if (address != null) {
      Sent sent = pendingReplies.remove(address);
      if (sent != null) {
        acks.put(sent.batchId(), new Ack(sent.nanos(), System.nanoTime()));
      }
    }
    ctx.next();
  }

  /** The runner's acknowledgement of the last pause of this batch, once; empty if none was seen. */
  Optional<Ack> take(String batchId) {
    return Optional.ofNullable(acks.remove(batchId));
  }
}
