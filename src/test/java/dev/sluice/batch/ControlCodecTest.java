package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Control requests and their answers as they cross the wire between nodes: every kind of answer
 * comes back as the same record, after bytes written before it in the buffer.
 */
class ControlCodecTest {

  private static final Buffer PREFIX = Buffer.buffer("earlier bytes");

  @Test
  @DisplayName("Every control result survives encoding to the wire and back")
  void resultsRoundTrip() {
    ControlResult.Codec codec = new ControlResult.Codec();
    List<ControlResult> all =
        List.of(
            new ControlResult.Done(batch(null)),
            new ControlResult.Done(batch(OffsetDateTime.parse("2026-12-01T02:03:04.567Z"))),
            new ControlResult.Missing(),
            new ControlResult.Refused(BatchStatus.COMPLETED, "A completed batch cannot be paused."),
            new ControlResult.Unavailable("The batch is being recovered.", 3),
            new ControlResult.Ended());
    for (ControlResult result : all) {
      Buffer wire = PREFIX.copy();
      codec.encodeToWire(wire, result);

      assertThat(codec.decodeFromWire(PREFIX.length(), wire)).isEqualTo(result);
      assertThat(codec.transform(result)).isSameAs(result);
    }
  }

  private static BatchRecord batch(OffsetDateTime finishedAt) {
    return new BatchRecord(
        UUID.randomUUID(),
        "alice",
        "Unit 3",
        finishedAt == null ? BatchStatus.PAUSED : BatchStatus.COMPLETED,
        finishedAt == null ? "checking" : null,
        new JsonObject().put("concurrency", 4).put("items", new JsonArray().add("x")),
        new Counts(10, 2, 1, 5, 1, 1),
        12,
        3,
        OffsetDateTime.parse("2026-12-01T01:00:00Z"),
        OffsetDateTime.parse("2026-12-01T02:00:00.123+01:00"),
        finishedAt,
        new TokenUsage(120, 340));
  }

  @Test
  @DisplayName("A control request survives encoding to the wire and back, with or without a reason")
  void requestsRoundTrip() {
    ControlRequest.Codec codec = new ControlRequest.Codec();
    for (ControlRequest request :
        List.of(
            new ControlRequest("pause", "alice", "checking the first questions"),
            new ControlRequest("resume", "system", null))) {
      Buffer wire = PREFIX.copy();
      codec.encodeToWire(wire, request);

      assertThat(codec.decodeFromWire(PREFIX.length(), wire)).isEqualTo(request);
    }
  }

  @Test
  @DisplayName("The codec selector names the control codecs and leaves other bodies alone")
  void selector() {
    assertThat(ControlResult.codecFor(new ControlResult.Missing()))
        .isEqualTo(ControlResult.Codec.NAME);
    assertThat(ControlResult.codecFor(new ControlRequest("pause", "a", null)))
        .isEqualTo(ControlRequest.Codec.NAME);
    assertThat(ControlResult.codecFor(new JsonObject())).isNull();
  }

  @Test
  @DisplayName("An answer of an unknown type is refused, not guessed")
  void unknownType() {
    Buffer wire = Buffer.buffer();
    Buffer json = new JsonObject().put("type", "maybe").toBuffer();
    wire.appendInt(json.length()).appendBuffer(json);

    assertThatThrownBy(() -> new ControlResult.Codec().decodeFromWire(0, wire))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maybe");
  }
}
