package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request bodies are RFC 8259 JSON in UTF-8 or they are refused with 400 saying why; text that
 * PostgreSQL cannot store as sent (a NUL, half a surrogate pair) is a 422 naming the field; in
 * either case nothing is stored.
 */
class StrictJsonApiTest {

  private static final String BASE = "/api/generation/batch";
  private static final String ITEMS = "\"items\":[{\"id\":\"q1\",\"prompt\":\"Say hi.\"}]";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings("SLUICE_SIMULATED_LATENCY_MS", "60000");

  private final Api api = fixture.api();
  private final TestDatabase db = fixture.db();

  static Stream<Arguments> notStrictJson() {
    String ok = "{\"name\":\"n\"," + ITEMS + "}";
    return Stream.of(
        Arguments.of("a comment", bytes("{\"name\":\"n\", /* note */ " + ITEMS + "}"), "comments"),
        Arguments.of(
            "a line comment", bytes("{\"name\":\"n\", // note\n" + ITEMS + "}"), "comments"),
        Arguments.of(
            "a duplicate key", bytes("{\"name\":\"a\",\"name\":\"b\"," + ITEMS + "}"), "twice"),
        Arguments.of(
            "a UTF-8 byte order mark",
            concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes(ok)),
            "byte order mark"),
        Arguments.of("UTF-16LE", ok.getBytes(StandardCharsets.UTF_16LE), "UTF-16"),
        Arguments.of("UTF-16 with its BOM", ok.getBytes(StandardCharsets.UTF_16), "UTF-16"),
        Arguments.of("UTF-32BE", ok.getBytes(Charset.forName("UTF-32BE")), "UTF-32"),
        Arguments.of(
            "an overlong '/'", withName(new byte[] {(byte) 0xC0, (byte) 0xAF}), "not valid UTF-8"),
        Arguments.of(
            "an overlong NUL", withName(new byte[] {(byte) 0xC0, (byte) 0x80}), "not valid UTF-8"),
        Arguments.of(
            "an encoded surrogate",
            withName(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
            "not valid UTF-8"),
        Arguments.of(
            "a stray continuation byte", withName(new byte[] {(byte) 0x80}), "not valid UTF-8"),
        Arguments.of(
            "a truncated sequence",
            withName(new byte[] {(byte) 0xE2, (byte) 0x82}),
            "not valid UTF-8"),
        Arguments.of("trailing garbage", bytes(ok + " x"), "not valid JSON"),
        Arguments.of("a second value", bytes(ok + ok), "more after"),
        Arguments.of(
            "NaN", bytes("{\"name\":\"n\",\"params\":{\"top_p\":NaN}," + ITEMS + "}"), "NaN"),
        Arguments.of(
            "Infinity",
            bytes("{\"name\":\"n\",\"params\":{\"top_p\":-Infinity}," + ITEMS + "}"),
            "not valid JSON"),
        Arguments.of(
            "a number a double cannot hold",
            bytes("{\"name\":\"n\",\"params\":{\"top_p\":1e400}," + ITEMS + "}"),
            "too large"),
        Arguments.of("single quotes", bytes("{'name':'n'," + ITEMS + "}"), "not valid JSON"),
        Arguments.of(
            "a trailing comma", bytes("{\"name\":\"n\"," + ITEMS + ",}"), "not valid JSON"),
        Arguments.of(
            "a leading zero",
            bytes("{\"name\":\"n\",\"concurrency\":01," + ITEMS + "}"),
            "not valid JSON"),
        Arguments.of(
            "a raw tab in a string",
            bytes("{\"name\":\"a\tb\"," + ITEMS + "}"),
            "control character"),
        Arguments.of("a raw NUL byte in a string", withName(new byte[] {0}), "control character"),
        Arguments.of("an unfinished object", bytes("{\"name\":\"n\""), "ends before"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notStrictJson")
  @DisplayName(
      "A create body that is not strict JSON in UTF-8 is a 400 saying why, and creates nothing")
  void notStrictJsonIsRefused(String what, byte[] body, String mentions) {
    long before = db.queryLong("SELECT count(*) FROM batches");

    Api.Reply reply = post(BASE, body, "application/json");

    assertProblem(reply, 400, mentions);
    assertThat(reply.json().getString("detail")).startsWith("The request body ");
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isEqualTo(before);
  }

  static Stream<Arguments> unstorableText() {
    return Stream.of(
        Arguments.of("a NUL in the name", "{\"name\":\"a\\u0000b\"," + ITEMS + "}", "name"),
        Arguments.of(
            "a NUL in the system prompt",
            "{\"name\":\"n\",\"system\":\"\\u0000\"," + ITEMS + "}",
            "system"),
        Arguments.of(
            "a NUL in the template",
            "{\"name\":\"n\",\"template\":\"T {{x}}\\u0000\",\"items\":[{\"id\":\"a\",\"vars\":{\"x\":\"1\"}}]}",
            "template"),
        Arguments.of(
            "a NUL in a prompt",
            "{\"name\":\"n\",\"items\":[{\"id\":\"a\",\"prompt\":\"p\"},{\"id\":\"b\",\"prompt\":\"\\u0000\"}]}",
            "items[1].prompt"),
        Arguments.of(
            "a NUL in a var",
            "{\"name\":\"n\",\"template\":\"T {{topic}}\",\"items\":[{\"id\":\"a\",\"vars\":{\"topic\":\"x\"}},{\"id\":\"b\",\"vars\":{\"topic\":\"x\"}},{\"id\":\"c\",\"vars\":{\"topic\":\"x\"}},{\"id\":\"d\",\"vars\":{\"topic\":\"mi\\u0000tosis\"}}]}",
            "items[3].vars.topic"),
        Arguments.of(
            "a NUL in a var's name",
            "{\"name\":\"n\",\"template\":\"T\",\"items\":[{\"id\":\"a\",\"vars\":{\"to\\u0000pic\":\"x\"}}]}",
            "items[0].vars.to\\u0000pic"),
        Arguments.of(
            "a NUL deep in params",
            "{\"name\":\"n\",\"params\":{\"stop\":[\"a\",\"\\u0000\"]}," + ITEMS + "}",
            "params.stop[1]"),
        Arguments.of(
            "a NUL in a message",
            "{\"name\":\"n\",\"items\":[{\"id\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\\u0000\"}]}]}",
            "items[0].messages[0].content"),
        Arguments.of(
            "a NUL in the output schema",
            "{\"name\":\"n\",\"outputSchema\":{\"type\":\"object\",\"description\":\"\\u0000\"},"
                + ITEMS
                + "}",
            "outputSchema.description"),
        Arguments.of(
            "a lone high surrogate in an id",
            "{\"name\":\"n\",\"items\":[{\"id\":\"a\\ud800\",\"prompt\":\"p\"},{\"id\":\"a\\udbff\",\"prompt\":\"p\"}]}",
            "items[0].id"),
        Arguments.of(
            "a lone low surrogate in a prompt",
            "{\"name\":\"n\",\"items\":[{\"id\":\"a\",\"prompt\":\"\\udc00x\"}]}",
            "items[0].prompt"),
        Arguments.of(
            "a reversed surrogate pair", "{\"name\":\"\\ude00\\ud83d\"," + ITEMS + "}", "name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unstorableText")
  @DisplayName("Text that cannot be stored as sent is a 422 naming the field, and creates nothing")
  void unstorableTextIsRefused(String what, String body, String field) {
    long before = db.queryLong("SELECT count(*) FROM batches");

    Api.Reply reply = api.post(BASE, body);

    assertProblem(reply, 422, field);
    assertThat(reply.json().getString("field")).isEqualTo(field);
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isEqualTo(before);
  }

  @Test
  @DisplayName("Escaped and literal characters outside the BMP are stored and read back unchanged")
  void surrogatePairsAreKept() {
    String body =
        "{\"name\":\"Emoji \\ud83d\\ude00 and \u00e9\",\"items\":[{\"id\":\"\\ud83d\\udc4d\",\"prompt\":\"\ud83c\udf0d\"}]}";
    Api.Reply created = api.post(BASE, body);

    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String id = created.json().getString("id");
    assertThat(api.batch(id).getString("name")).isEqualTo("Emoji \ud83d\ude00 and \u00e9");
    JsonObject item = api.items(id).get(0);
    assertThat(item.getString("id")).isEqualTo("\ud83d\udc4d");
    assertThat(item.getJsonObject("input").getString("prompt")).isEqualTo("\ud83c\udf0d");
  }

  @Test
  @DisplayName(
      "A control's body is read as strictly: comments are a 400, a NUL in the reason a 422")
  void controlBodies() {
    String id = api.createBatch(Api.batchBody("controls", 2, 1));

    assertProblem(api.post(BASE + "/" + id + "/pause", "{/* why */}"), 400, "comments");
    assertProblem(
        api.post(BASE + "/" + id + "/pause", "{\"reason\":\"a\",\"reason\":\"b\"}"), 400, "twice");
    Api.Reply nul = api.post(BASE + "/" + id + "/pause", "{\"reason\":\"quota\\u0000\"}");
    assertProblem(nul, 422, "reason");
    assertThat(nul.json().getString("field")).isEqualTo("reason");
    assertThat(api.status(id)).isEqualTo("running");
  }

  @Test
  @DisplayName("An OpenAI batch file is read strictly too: per line, and in the name it is given")
  void jsonlBodies() {
    String line =
        new JsonObject()
            .put("custom_id", "r1")
            .put(
                "body",
                new JsonObject()
                    .put("model", "m")
                    .put(
                        "messages",
                        new JsonArray()
                            .add(new JsonObject().put("role", "user").put("content", "hi"))))
            .encode();
    long before = db.queryLong("SELECT count(*) FROM batches");

    Api.Reply name = post(BASE + "?name=a%00b", bytes(line), "application/x-ndjson");
    assertProblem(name, 422, "name");
    assertThat(name.json().getString("field")).isEqualTo("name");
    Api.Reply content =
        post(
            BASE,
            bytes(line + "\n" + line.replace("\"hi\"", "\"h\\u0000i\"").replace("r1", "r2")),
            "application/x-ndjson");
    assertThat(content.json().getString("field")).isEqualTo("line 2.body.messages[0].content");
    Api.Reply comment = post(BASE, bytes(line + " // more"), "application/x-ndjson");
    assertProblem(comment, 422, "comments");
    assertThat(comment.json().getString("field")).isEqualTo("line 1");
    Api.Reply duplicate =
        post(
            BASE,
            bytes(
                line.replace(
                    "{\"custom_id\":\"r1\"", "{\"custom_id\":\"r1\",\"custom_id\":\"r9\"")),
            "application/x-ndjson");
    assertProblem(duplicate, 422, "twice");
    assertProblem(
        post(BASE, withName(new byte[] {(byte) 0xC0, (byte) 0xAF}), "application/x-ndjson"),
        400,
        "not valid UTF-8");
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isEqualTo(before);
  }

  private Api.Reply post(String path, byte[] body, String contentType) {
    return api.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.port() + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private static void assertProblem(Api.Reply reply, int status, String mentions) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(reply.json().getInteger("status")).isEqualTo(status);
    assertThat(reply.json().getString("detail")).contains(mentions);
  }

  /** A create body whose name holds the given raw bytes between "x" and "y". */
  private static byte[] withName(byte[] raw) {
    return concat(bytes("{\"name\":\"x"), raw, bytes("y\"," + ITEMS + "}"));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
