package dev.sluice.batch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What became of a control request: the one answer a runner (or the stored state, when no runner is
 * live) gives, on the event bus as in the API. It crosses the wire as JSON with a {@code type}
 * discriminator ({@link Codec}); within one process the record itself travels.
 */
public sealed interface ControlResult {

  /** Accepted and stored; the batch as it now stands. */
  record Done(BatchRecord batch) implements ControlResult {}

  /** No such batch for this owner. */
  record Missing() implements ControlResult {}

  /** Not allowed in the batch's current state. */
  record Refused(BatchStatus current, String detail) implements ControlResult {}

  /** No runner could take it now; nothing changed, the caller may try again after a while. */
  record Unavailable(String detail, int retryAfterSeconds) implements ControlResult {
    public Unavailable(String detail) {
      this(detail, 1);
    }
  }

  /** The runner has ended (its batch finished): the stored state answers instead. */
  record Ended() implements ControlResult {}

  /** The event-bus codec name for a body: control results and requests, or the default. */
  public static @Nullable String codecFor(Object body) {
    if (body instanceof ControlResult) {
      return Codec.NAME;
    }
    return body instanceof ControlRequest ? ControlRequest.Codec.NAME : null;
  }

  /** JSON with a {@code type} discriminator on the wire, the record itself within one process. */
  final class Codec extends JsonCodec<ControlResult> {
    public static final String NAME = "sluice.control-result";

    public Codec() {
      super(NAME, Codec::toJson, Codec::fromJson);
    }

    static JsonObject toJson(ControlResult result) {
      if (result instanceof Done d) {
        return new JsonObject().put("type", "done").put("batch", RecordWire.toJson(d.batch()));
      } else if (result instanceof Refused r) {
        return new JsonObject()
            .put("type", "refused")
            .put("current", r.current().wire())
            .put("detail", r.detail());
      } else if (result instanceof Unavailable u) {
        return new JsonObject()
            .put("type", "unavailable")
            .put("detail", u.detail())
            .put("retryAfter", u.retryAfterSeconds());
      }
      return new JsonObject().put("type", result instanceof Missing ? "missing" : "ended");
    }

    static ControlResult fromJson(JsonObject json) {
      String type = json.getString("type", "");
      return switch (type) {
        case "done" -> new Done(RecordWire.fromJson(json.getJsonObject("batch", new JsonObject())));
        case "refused" ->
            new Refused(
                BatchStatus.parse(json.getString("current", "")).orElseThrow(),
                json.getString("detail", ""));
        case "unavailable" ->
            new Unavailable(json.getString("detail", ""), json.getInteger("retryAfter", 1));
        case "missing" -> new Missing();
        case "ended" -> new Ended();
        default -> throw new IllegalArgumentException("unknown control result type " + type);
      };
    }
  }

  /** A batch record as JSON between nodes: every column, times as ISO-8601 offsets. */
  final class RecordWire {
    private RecordWire() {}

    static JsonObject toJson(BatchRecord r) {
      Counts n = r.counts();
      return new JsonObject()
          .put("id", r.id().toString())
          .put("owner", r.owner())
          .put("name", r.name())
          .put("status", r.status().wire())
          .put("statusReason", r.statusReason())
          .put("config", r.config())
          .put(
              "counts",
              new JsonArray(
                  List.of(
                      n.total(),
                      n.pending(),
                      n.inProgress(),
                      n.succeeded(),
                      n.failed(),
                      n.cancelled())))
          .put("version", r.version())
          .put("epoch", r.epoch())
          .put("createdAt", r.createdAt().toString())
          .put("updatedAt", r.updatedAt().toString())
          .put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString())
          .put("promptTokens", r.usage().promptTokens())
          .put("completionTokens", r.usage().completionTokens());
    }

    static BatchRecord fromJson(JsonObject j) {
      JsonArray c = j.getJsonArray("counts");
      String finished = j.getString("finishedAt");
      return new BatchRecord(
          UUID.fromString(j.getString("id")),
          j.getString("owner"),
          j.getString("name"),
          BatchStatus.parse(j.getString("status")).orElseThrow(),
          j.getString("statusReason"),
          j.getJsonObject("config"),
          new Counts(
              c.getInteger(0),
              c.getInteger(1),
              c.getInteger(2),
              c.getInteger(3),
              c.getInteger(4),
              c.getInteger(5)),
          j.getLong("version"),
          j.getLong("epoch"),
          OffsetDateTime.parse(j.getString("createdAt")),
          OffsetDateTime.parse(j.getString("updatedAt")),
          finished == null ? null : OffsetDateTime.parse(finished),
          new TokenUsage(j.getLong("promptTokens"), j.getLong("completionTokens")));
    }
  }
}
