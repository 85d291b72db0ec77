package dev.sluice.batch;

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
  public static final class Codec extends JsonCodec<ControlRequest> {
    public static final String NAME = "sluice.control";

    public Codec() {
      super(NAME, ControlRequest::toJson, ControlRequest::fromJson);
    }
  }
}
