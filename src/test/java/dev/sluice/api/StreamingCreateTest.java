package dev.sluice.api;

import static dev.sluice.support.CreateBodies.promptItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.CreateBodies;
import dev.sluice.support.RawHttp;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A create body is read as it arrives and its items stored in chunks in one transaction: a large
 * batch is stored whole and exactly, and one that fails at any point — a bad item late in the body,
 * strict JSON broken late, a body cut off after chunks were written — leaves nothing stored.
 */
class StreamingCreateTest {

  private static final String BASE = "/api/generation/batch";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_MAX_ITEMS", "200000", "SLUICE_SIMULATED_LATENCY_MS", "600000");

  private final Api api = fixture.api();
  private final TestDatabase db = fixture.db();

  @Test
  @DisplayName("A 200,000-item body is stored whole: every item with its number, id and prompt")
  void largeCreate() {
    int n = 200_000;
    Api.Reply reply = post(CreateBodies.json("large", n, CreateBodies::promptItem));

    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    String id = reply.json().getString("id");
    assertThat(reply.json().getJsonObject("counts").getInteger("total")).isEqualTo(n);
    assertThat(
            itemsWhere(
                id,
                "item_id = 'q' || seq AND input = jsonb_build_object('prompt', 'Write exam"
                    + " question ' || seq || ' about cell biology.')"))
        .isEqualTo(n);
    assertThat(db.queryLong("SELECT max(seq) FROM items WHERE batch_id = '" + id + "'"))
        .isEqualTo(n);
  }

  @Test
  @DisplayName("An invalid item late in a large body is a 422 naming it, and nothing is stored")
  void lateInvalidItem() {
    long[] before = stored();
    byte[] body =
        CreateBodies.json(
            "late", 40_000, i -> i == 29_999 ? "{\"id\":\"q30000\",\"prompt\":42}" : promptItem(i));

    Api.Reply reply = post(body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(422);
    assertThat(reply.json().getString("field")).isEqualTo("items[29999].prompt");
    assertThat(reply.json().getString("detail"))
        .isEqualTo("items[29999].prompt: must be a non-empty string.");
    assertThat(stored()).isEqualTo(before);
  }

  @ParameterizedTest(name = "closed with a {0}")
  @ValueSource(strings = {"close", "reset"})
  @DisplayName(
      "A body cut off half-way, after chunks of it were written, stores nothing: no batch, no items")
  void cutOffBody(String how) {
    long[] before = stored();
    byte[] body = CreateBodies.json("cut", 40_000, CreateBodies::promptItem);
    RawHttp raw = new RawHttp(fixture.port());
    raw.send(head("application/json", body.length)).send(Arrays.copyOf(body, body.length / 2));
    await("the first chunks written in the create's open transaction")
        .atMost(Duration.ofSeconds(20))
        .until(() -> openInserts() > 0);

    if (how.equals("reset")) {
      raw.reset();
    } else {
      raw.close();
    }

    await("the create's transaction gone")
        .atMost(Duration.ofSeconds(20))
        .until(() -> openInserts() == 0);
    assertThat(stored()).isEqualTo(before);
  }

  static Stream<Arguments> lateRefusals() {
    return Stream.of(
        Arguments.of(
            "a duplicate key in item 30,000",
            json(i -> i == 29_999 ? "{\"id\":\"x\",\"id\":\"y\",\"prompt\":\"p\"}" : promptItem(i)),
            400,
            "appears twice"),
        Arguments.of(
            "a NUL in the prompt of item 30,000",
            json(i -> i == 29_999 ? "{\"id\":\"x\",\"prompt\":\"a\\u0000b\"}" : promptItem(i)),
            422,
            "items[29999].prompt: contains the NUL character"),
        Arguments.of(
            "an overlong UTF-8 form in item 30,000",
            replace(
                json(i -> i == 29_999 ? "{\"id\":\"x\",\"prompt\":\"a##b\"}" : promptItem(i)),
                "##",
                new byte[] {(byte) 0xC0, (byte) 0xAF}),
            400,
            "not valid UTF-8"),
        Arguments.of(
            "text after the body",
            CreateBodies.json(
                "{\"name\":\"n\",\"items\":[", 40_000, CreateBodies::promptItem, "]} x"),
            400,
            "not valid JSON"),
        Arguments.of(
            "a syntax error after a bad item",
            CreateBodies.json(
                "{\"name\":\"n\",\"items\":[",
                40_000,
                i -> i == 10 ? "{\"id\":\"x\"}" : promptItem(i),
                "]"),
            400,
            "ends before the JSON value is complete"),
        Arguments.of(
            "NaN late in the body",
            CreateBodies.json(
                "{\"name\":\"n\",\"items\":[",
                40_000,
                CreateBodies::promptItem,
                "],\"params\":{\"top_p\":NaN}}"),
            400,
            "NaN"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lateRefusals")
  @DisplayName(
      "Strict JSON broken late in a large body is refused as for a small one, and nothing is stored")
  void lateRefusal(String what, byte[] body, int status, String mentions) {
    long[] before = stored();

    Api.Reply reply = post(body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.json().getString("detail")).contains(mentions);
    assertThat(stored()).isEqualTo(before);
  }

  @Test
  @DisplayName(
      "A template sent after 12,000 items fills them: their vars are checked against it once it"
          + " arrives, from what was stored")
  void templateAfterItems() {
    byte[] body =
        CreateBodies.json(
            "{\"name\":\"late template\",\"items\":[",
            12_000,
            i -> "{\"id\":\"v" + i + "\",\"vars\":{\"topic\":\"t" + i + "\"}}",
            "],\"template\":\"About {{topic}}.\"}");

    Api.Reply reply = post(body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    String id = reply.json().getString("id");
    assertThat(
            itemsWhere(
                id,
                "input = jsonb_build_object('vars', jsonb_build_object('topic', 't' || (seq - 1)))"))
        .isEqualTo(12_000);
  }

  @Test
  @DisplayName(
      "With the template after the items, a missing variable is found in the stored items, and the"
          + " first bad item is named")
  void templateAfterItemsRefused() {
    long[] before = stored();
    byte[] body =
        CreateBodies.json(
            "{\"name\":\"late template\",\"items\":[",
            12_000,
            i ->
                switch (i) {
                  case 10_999 -> "{\"id\":\"v" + i + "\",\"vars\":{\"subject\":\"s\"}}";
                  case 11_500 -> "{\"id\":\"v" + i + "\",\"prompt\":\"p\",\"vars\":{}}";
                  default -> "{\"id\":\"v" + i + "\",\"vars\":{\"topic\":\"t" + i + "\"}}";
                },
            "],\"template\":\"About {{topic}}.\"}");

    Api.Reply reply = post(body);

    assertThat(reply.status()).as(reply.body()).isEqualTo(422);
    assertThat(reply.json().getString("field")).isEqualTo("items[10999].vars.topic");
    assertThat(stored()).isEqualTo(before);
  }

  @Test
  @DisplayName(
      "A body sent a few bytes at a time, with characters split between pieces, is stored as sent")
  void trickledBody() throws Exception {
    String name = "Tri\u00e9 \ud83d\ude00 \u4e2d";
    byte[] body =
        ("{\"name\":\""
                + name
                + "\",\"items\":[{\"id\":\"\u00e9\",\"prompt\":\"\ud83c\udf0d and \u00fc\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    try (RawHttp raw = new RawHttp(fixture.port())) {
      raw.send(head("application/json", body.length));
      for (int i = 0; i < body.length; i += 3) {
        raw.send(Arrays.copyOfRange(body, i, Math.min(body.length, i + 3)));
      }
      assertThat(raw.readUntil("\"counts\"", 1)).as(raw.received()).isTrue();
      assertThat(raw.received()).startsWith("HTTP/1.1 201");
    }
    JsonObject created =
        api.get(BASE + "?limit=500").json().getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .filter(b -> b.getString("name").equals(name))
            .findFirst()
            .orElseThrow();
    JsonObject item = api.items(created.getString("id")).get(0);
    assertThat(item.getString("id")).isEqualTo("\u00e9");
    assertThat(item.getJsonObject("input").getString("prompt"))
        .isEqualTo("\ud83c\udf0d and \u00fc");
  }

  @Test
  @DisplayName(
      "An Idempotency-Key on a large body: the same body again replays the batch, another body is"
          + " a 409, and only one batch is stored")
  void idempotentLargeCreate() {
    byte[] body = CreateBodies.json("keyed", 30_000, CreateBodies::promptItem);
    Api.Reply first = post(body, "large-key");
    long[] after = stored();

    Api.Reply again = post(body, "large-key");
    Api.Reply other =
        post(CreateBodies.json("keyed", 30_001, CreateBodies::promptItem), "large-key");

    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertThat(other.status()).as(other.body()).isEqualTo(409);
    assertThat(stored()).isEqualTo(after);
  }

  @Test
  @DisplayName("A 20,000-line JSONL body is stored whole, each line's request as its item")
  void largeJsonl() {
    Api.Reply reply = postJsonl("?name=lines", CreateBodies.jsonl(20_000, CreateBodies::line));

    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    String id = reply.json().getString("id");
    assertThat(
            itemsWhere(
                id,
                "item_id = 'r' || seq AND input -> 'messages' -> 0 ->> 'content' = 'Write exam"
                    + " question ' || seq || ' about cell biology.'"))
        .isEqualTo(20_000);
  }

  static Stream<Arguments> lateJsonlRefusals() {
    return Stream.of(
        Arguments.of(
            "a line that is not JSON", 14_999, "{\"custom_id\":", "line 15000", "not valid JSON"),
        Arguments.of(
            "a repeated custom_id",
            14_999,
            CreateBodies.line(3),
            "items[14999].id",
            "duplicates the item id 'r4'"),
        Arguments.of(
            "a NUL in a message",
            14_999,
            CreateBodies.line(14_999).replace("cell", "ce\\u0000ll"),
            "line 15000.body.messages[0].content",
            "NUL"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lateJsonlRefusals")
  @DisplayName("A bad line late in a large JSONL body is a 422 naming it, and nothing is stored")
  void lateJsonlRefusal(String what, int at, String line, String field, String mentions) {
    long[] before = stored();

    Api.Reply reply =
        postJsonl("", CreateBodies.jsonl(20_000, i -> i == at ? line : CreateBodies.line(i)));

    assertThat(reply.status()).as(reply.body()).isEqualTo(422);
    assertThat(reply.json().getString("field")).isEqualTo(field);
    assertThat(reply.json().getString("detail")).contains(mentions);
    assertThat(stored()).isEqualTo(before);
  }

  @Test
  @DisplayName("A JSONL body cut off half-way, after chunks of it were written, stores nothing")
  void cutOffJsonl() {
    long[] before = stored();
    byte[] body = CreateBodies.jsonl(40_000, CreateBodies::line);
    RawHttp raw = new RawHttp(fixture.port());
    raw.send(head("application/x-ndjson", body.length)).send(Arrays.copyOf(body, body.length / 2));
    await().atMost(Duration.ofSeconds(20)).until(() -> openInserts() > 0);

    raw.close();

    await().atMost(Duration.ofSeconds(20)).until(() -> openInserts() == 0);
    assertThat(stored()).isEqualTo(before);
  }

  /** How many of the batch's items meet the SQL condition. */
  private long itemsWhere(String batchId, String condition) {
    return db.queryLong(
        "SELECT count(*) FROM items WHERE batch_id = '" + batchId + "' AND " + condition);
  }

  /** How many batches and items are stored. */
  private long[] stored() {
    return new long[] {
      db.queryLong("SELECT count(*) FROM batches"), db.queryLong("SELECT count(*) FROM items")
    };
  }

  /** Sessions of this database inside a transaction whose last statement inserted items. */
  private long openInserts() {
    return db.queryLong(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND xact_start"
            + " IS NOT NULL AND query LIKE 'INSERT INTO items%'");
  }

  private Api.Reply post(byte[] body) {
    return post(body, null);
  }

  private Api.Reply post(byte[] body, String key) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.base() + BASE))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return api.send(request);
  }

  private Api.Reply postJsonl(String query, byte[] body) {
    return api.send(
        HttpRequest.newBuilder(URI.create(api.base() + BASE + query))
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  static String head(String contentType, long length) {
    return "POST "
        + BASE
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  private static byte[] json(java.util.function.IntFunction<String> item) {
    return CreateBodies.json("late", 40_000, item);
  }

  /** The body with the first {@code marker} replaced by raw bytes. */
  private static byte[] replace(byte[] body, String marker, byte[] with) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(marker);
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    out.write(body, 0, at);
    out.writeBytes(with);
    out.write(body, at + marker.length(), body.length - at - marker.length());
    return out.toByteArray();
  }
}
