package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * A control command on its way to the verticle that runs the batch, as an event-bus message: the
 * command, who asked (written to the history), why, and the only owner whose batch it may steer
 * ({@code owner}; null for an admin or Sluice itself, who may steer any). A message without an
 * owner (from a node of an earlier version) is scoped to its actor, as such nodes scoped it.
 */
public record ControlRequest(
    String command, String actor, @Nullable String reason, @Nullable String owner) {

  /** A request scoped to the actor's own batches. */
  public ControlRequest(String command, String actor, @Nullable String reason) {
    this(command, actor, reason, actor);
  }

  /** Whether this request may steer a batch of {@code batchOwner}. */
  public boolean mayControl(String batchOwner) {
    return owner == null || owner.equals(batchOwner);
  }

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
        .put("reason", reason)
        .put("owner", owner)
        .put("anyOwner", owner == null);
  }

  static ControlRequest fromJson(JsonObject json) {
    String actor = json.getString("actor", "");
    boolean legacySystem = !json.containsKey("owner") && actor.equals(BatchMachine.SYSTEM);
    String owner =
        json.getBoolean("anyOwner", false) || legacySystem ? null : json.getString("owner", actor);
    return new ControlRequest(
        json.getString("command", ""), actor, json.getString("reason"), owner);
  }

  /** JSON on the wire, the record itself within one process. */
  public static final class Codec extends JsonCodec<ControlRequest> {
    public static final String NAME = "sluice.control";

    public Codec() {
      super(NAME, ControlRequest::toJson, ControlRequest::fromJson);
    }
  }
}
