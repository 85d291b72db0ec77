package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input at the edge: a clear problem+json with the right status, never a 500, nothing stored.
 */
class BatchValidationApiTest {

  private static final String BASE = "/api/generation/batch";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_MAX_ITEMS",
          "20",
          "SLUICE_MAX_BODY_BYTES",
          "8192",
          "SLUICE_MAX_PROMPT_CHARS",
          "200",
          "SLUICE_BATCH_MAX_CONCURRENCY",
          "16");

  private final Api api = fixture.api();
  private final TestDatabase db = fixture.db();

  static Stream<Arguments> badCreates() {
    JsonObject ok = Api.batchBody("ok", 2, 1);
    JsonArray dupItems =
        new JsonArray().add(item("a", "x")).add(item("b", "y")).add(item("a", "z"));
    return Stream.of(
        Arguments.of("malformed JSON", "{\"name\": ", 400, "not valid JSON"),
        Arguments.of("a JSON array instead of an object", "[1,2]", 400, "not valid JSON"),
        Arguments.of("an empty body", "", 400, "JSON body"),
        Arguments.of("no name", ok.copy().putNull("name").encode(), 422, "name"),
        Arguments.of("a blank name", ok.copy().put("name", " ").encode(), 422, "name"),
        Arguments.of("a numeric name", ok.copy().put("name", 5).encode(), 422, "name"),
        Arguments.of("no items", new JsonObject().put("name", "n").encode(), 422, "items"),
        Arguments.of("empty items", ok.copy().put("items", new JsonArray()).encode(), 422, "items"),
        Arguments.of("items not a list", ok.copy().put("items", "q1").encode(), 422, "items"),
        Arguments.of(
            "duplicate item ids", ok.copy().put("items", dupItems).encode(), 422, "items[2].id"),
        Arguments.of(
            "an item without id",
            ok.copy()
                .put("items", new JsonArray().add(new JsonObject().put("prompt", "p")))
                .encode(),
            422,
            "items[0].id"),
        Arguments.of(
            "an item with both prompt and vars",
            ok.copy()
                .put("items", new JsonArray().add(item("a", "p").put("vars", new JsonObject())))
                .encode(),
            422,
            "items[0]"),
        Arguments.of(
            "vars without a template",
            ok.copy()
                .put(
                    "items",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("id", "a")
                                .put("vars", new JsonObject().put("t", "x"))))
                .encode(),
            422,
            "items[0].vars"),
        Arguments.of(
            "a template variable missing",
            ok.copy()
                .put("template", "About {{topic}}")
                .put(
                    "items",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("id", "a")
                                .put("vars", new JsonObject().put("other", "x"))))
                .encode(),
            422,
            "items[0].vars.topic"),
        Arguments.of(
            "concurrency zero", ok.copy().put("concurrency", 0).encode(), 422, "concurrency"),
        Arguments.of(
            "concurrency above the limit",
            ok.copy().put("concurrency", 17).encode(),
            422,
            "concurrency"),
        Arguments.of(
            "concurrency as text",
            ok.copy().put("concurrency", "four").encode(),
            422,
            "concurrency"),
        Arguments.of(
            "maxAttempts fractional",
            ok.copy().put("maxAttempts", 1.5).encode(),
            422,
            "maxAttempts"),
        Arguments.of(
            "temperature out of range",
            ok.copy().put("params", new JsonObject().put("temperature", 9)).encode(),
            422,
            "params.temperature"),
        Arguments.of(
            "an unknown field", ok.copy().put("concurency", 3).encode(), 422, "concurency"),
        Arguments.of(
            "too many items", Api.batchBody("big", 21, 1).encode(), 413, "at most 20 items"),
        Arguments.of(
            "a prompt over the limit",
            ok.copy().put("items", new JsonArray().add(item("a", "x".repeat(201)))).encode(),
            413,
            "200"),
        Arguments.of(
            "a body over the limit",
            ok.copy().put("system", "s".repeat(9000)).encode(),
            413,
            "larger"));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("badCreates")
  @DisplayName("A bad create request gets a problem naming what is wrong, and creates nothing")
  void badCreate(String what, String body, int status, String mentions) {
    long before = db.queryLong("SELECT count(*) FROM batches");

    Api.Reply reply = api.post(BASE, body);

    assertProblem(reply, status, mentions);
    assertThat(db.queryLong("SELECT count(*) FROM batches")).isEqualTo(before);
  }

  static Stream<Arguments> badReads() {
    String unknown = UUID.randomUUID().toString();
    return Stream.of(
        Arguments.of("GET", BASE + "/not-a-uuid", 400, "not a batch id"),
        Arguments.of("GET", BASE + "/" + unknown, 404, unknown),
        Arguments.of("GET", BASE + "/" + unknown + "/items", 404, unknown),
        Arguments.of("GET", BASE + "/" + unknown + "/events", 404, unknown),
        Arguments.of("POST", BASE + "/" + unknown + "/pause", 404, unknown),
        Arguments.of("POST", BASE + "/" + unknown + "/retry-failed", 404, unknown),
        Arguments.of("POST", BASE + "/12345/cancel", 400, "not a batch id"),
        Arguments.of("GET", BASE + "?status=sleeping", 400, "status must be one of"),
        Arguments.of("GET", BASE + "?limit=0", 400, "limit"),
        Arguments.of("GET", BASE + "?limit=many", 400, "limit"),
        Arguments.of("GET", BASE + "?cursor=%21%21", 400, "cursor"),
        Arguments.of("GET", "/api/generation/nothing-here", 404, "no API route"));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("badReads")
  @DisplayName("Bad ids, unknown batches and bad query parameters get 400 or 404 as problem+json")
  void badReadsAndControls(String method, String path, int status, String mentions) {
    Api.Reply reply = method.equals("GET") ? api.get(path) : api.post(path, "");
    assertProblem(reply, status, mentions);
  }

  @Test
  @DisplayName("A control with a body that is not JSON is a 400 and leaves the batch as it was")
  void controlWithBadBody() {
    String id = api.createBatch(Api.batchBody("ctl", 2, 1));
    Api.Reply reply = api.post(BASE + "/" + id + "/pause", "{oops");
    assertProblem(reply, 400, "not valid JSON");
    Api.Reply reason =
        api.post(BASE + "/" + id + "/pause", new JsonObject().put("reason", 42).encode());
    assertProblem(reason, 422, "reason");
  }

  @Test
  @DisplayName("A create sent as something other than JSON is refused with 415")
  void wrongMediaType() {
    assertProblem(
        api.post(BASE, "name=x", "application/x-www-form-urlencoded"), 415, "application/json");
  }

  @Test
  @DisplayName("An item items filter with an unknown status is a 400")
  void badItemFilter() {
    String id = api.createBatch(Api.batchBody("filter", 1, 1));
    assertProblem(api.get(BASE + "/" + id + "/items?status=done"), 400, "status must be one of");
    assertProblem(api.get(BASE + "/" + id + "/items?cursor=abc"), 400, "cursor");
  }

  private static void assertProblem(Api.Reply reply, int status, String mentions) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).startsWith("application/problem+json");
    JsonObject problem = reply.json();
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("type")).startsWith("https://sluice.dev/problems/");
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).containsIgnoringCase(mentions);
  }

  private static JsonObject item(String id, String prompt) {
    return new JsonObject().put("id", id).put("prompt", prompt);
  }
}
