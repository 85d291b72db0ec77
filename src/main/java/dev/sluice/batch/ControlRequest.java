package dev.sluice.batch;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/** A control command on its way to the verticle that runs the batch, as an event-bus message. */
public record ControlRequest(String command, String actor, @Nullable String reason) {

  /** The event-bus address of the verticle that runs a batch. */
  public static String address(java.util.UUID batchId) {
    return "sluice.batch." + batchId;
  }

  public @Nullable BatchCommand toCommand() {
    return BatchCommand.ofWire(command, actor, reason);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("type", "control")
        .put("command", command)
        .put("actor", actor)
        .put("reason", reason);
  }

  static ControlRequest fromJson(JsonObject json) {
    return new ControlRequest(
        json.getString("command", ""), json.getString("actor", ""), json.getString("reason"));
  }

  /** JSON on the wire, the record itself within one process. */
  public static final class Codec implements MessageCodec<ControlRequest, ControlRequest> {
    public static final String NAME = "sluice.control";

    @Override
    public void encodeToWire(Buffer buffer, ControlRequest request) {
      Buffer json = request.toJson().toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public ControlRequest decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return fromJson(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
    }

    @Override
    public ControlRequest transform(ControlRequest request) {
      return request;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
