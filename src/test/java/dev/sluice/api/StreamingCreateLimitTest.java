package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.CreateBodies;
import dev.sluice.support.RawHttp;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The limits of a create are decided as the body arrives: past {@code limits.max-items} items, or
 * past {@code limits.max-body-bytes} of a body that did not declare its length, the 413 is sent
 * while the client is still sending, and nothing is stored.
 */
class StreamingCreateLimitTest {

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_MAX_ITEMS",
          "12000",
          "SLUICE_MAX_BODY_BYTES",
          "4194304",
          "SLUICE_SIMULATED_LATENCY_MS",
          "600000");

  private final TestDatabase db = fixture.db();

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"application/json", "application/x-ndjson"})
  @DisplayName(
      "Item 12,001 of a JSON or JSONL body is answered 413 before the rest is sent, and nothing is"
          + " stored")
  void tooManyItems(String type) {
    boolean json = type.equals("application/json");
    byte[] body =
        json
            ? CreateBodies.json("many", 15_000, CreateBodies::promptItem)
            : CreateBodies.jsonl(15_000, CreateBodies::line);
    assertRefusedMidStream(
        StreamingCreateTest.head(type, body.length),
        Arrays.copyOf(body, upTo(body, json ? "\"q12002\"" : "\"r12002\"")),
        "A batch may hold at most 12000 items; this one has more.");
  }

  @Test
  @DisplayName(
      "A chunked body past the body limit is answered 413 before the rest is sent, and nothing is"
          + " stored")
  void bodyOverTheLimit() {
    String prompt = "x".repeat(1000);
    byte[] body =
        CreateBodies.json(
            "big", 5_000, i -> "{\"id\":\"q" + i + "\",\"prompt\":\"" + prompt + "\"}");
    byte[] sent = Arrays.copyOf(body, 4_300_000);
    String head =
        "POST /api/generation/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type:"
            + " application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertRefusedMidStream(
        head, chunked(sent), "The request body is larger than this server accepts.");
  }

  private void assertRefusedMidStream(String head, byte[] part, String detail) {
    long batches = db.queryLong("SELECT count(*) FROM batches");
    long items = db.queryLong("SELECT count(*) FROM items");
    try (RawHttp raw = new RawHttp(fixture.port())) {
      raw.send(head).send(part);

      assertThat(raw.readUntil(detail, 1)).as(raw.received()).isTrue();
      assertThat(raw.received()).startsWith("HTTP/1.1 413");
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                db.queryLong(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND xact_start IS NOT NULL AND query LIKE 'INSERT INTO items%'")
                    == 0);
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isEqualTo(batches);
    assertThat(db.queryLong("SELECT count(*) FROM items")).isEqualTo(items);
  }

  /** The offset of {@code marker} in the body. */
  private static int upTo(byte[] body, String marker) {
    return new String(body, StandardCharsets.ISO_8859_1).indexOf(marker);
  }

  /** The bytes in HTTP/1.1 chunks of 64 KiB, without the last (empty) chunk: it never ends. */
  private static byte[] chunked(byte[] bytes) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < bytes.length; i += 65_536) {
      int n = Math.min(65_536, bytes.length - i);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes, i, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }
}
