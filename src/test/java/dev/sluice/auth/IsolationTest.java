package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two faculty members and an admin against one Sluice whose generator holds every item in flight,
 * so a batch stays exactly as it is unless someone steers it: another owner's batch is a 404 on
 * every route, as a missing one, and nothing about it changes.
 */
@DisplayName("Each owner sees and steers only their own batches; admins see and steer all")
class IsolationTest {

  private static final String BASE = "/api/generation/batch";
  private static final GatedGenerator gate = new GatedGenerator();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings("SLUICE_ADMIN_KEY", AuthenticationTest.ADMIN_KEY)
          .generator(vertx -> gate)
          .beforeClose(gate::releaseAll);

  private static Api admin;
  private static Api alice;
  private static Api bob;
  private static String alicesBatch;

  @BeforeAll
  static void people() {
    admin = fixture.api().as(AuthenticationTest.ADMIN_KEY);
    alice = fixture.api().as(key("alice"));
    bob = fixture.api().as(key("bob"));
    alicesBatch = alice.createBatch(Api.batchBody("Alice's exam questions", 4, 2));
    await().atMost(Duration.ofSeconds(20)).until(() -> gate.inFlight(alicesBatch) == 2);
  }

  static String key(String owner) {
    return keyOn(fixture, owner);
  }

  /** A new faculty key for the owner, made by the operator's admin key over HTTP. */
  static String keyOn(SluiceFixture sluice, String owner) {
    Api.Reply created =
        sluice
            .api()
            .as(AuthenticationTest.ADMIN_KEY)
            .post("/api/keys", new JsonObject().put("owner", owner).encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().getString("key");
  }

  /** Every route and method that names a batch, with a body where it takes one. */
  static Stream<Arguments> batchRoutes() {
    return Stream.of(
        Arguments.of("GET", ""),
        Arguments.of("GET", "/items"),
        Arguments.of("GET", "/items?status=pending"),
        Arguments.of("GET", "/results"),
        Arguments.of("GET", "/events"),
        Arguments.of("GET", "/stream"),
        Arguments.of("POST", "/pause"),
        Arguments.of("POST", "/resume"),
        Arguments.of("POST", "/cancel"),
        Arguments.of("POST", "/retry-failed"));
  }

  @ParameterizedTest(name = "{0} …/{1}")
  @MethodSource("batchRoutes")
  @DisplayName(
      "Another faculty member gets exactly the 404 of a missing batch, and the batch is unchanged"
          + " in the database")
  void otherOwnerGetsNotFound(String method, String suffix) {
    String before = fixture.db().batchState(alicesBatch);
    String missing = UUID.randomUUID().toString();

    Api.Reply theirs = call(bob, method, BASE + "/" + alicesBatch + suffix);
    Api.Reply none = call(bob, method, BASE + "/" + missing + suffix);

    assertThat(theirs.status()).as(theirs.body()).isEqualTo(404);
    assertThat(theirs.contentType()).isEqualTo(none.contentType());
    assertThat(theirs.body().replace(alicesBatch, missing)).isEqualTo(none.body());
    assertThat(fixture.db().batchState(alicesBatch)).isEqualTo(before);
    assertThat(alice.status(alicesBatch)).isEqualTo("running");
  }

  @Test
  @DisplayName("Lists show only the caller's batches; an admin lists all and may filter by owner")
  void lists() {
    String bobs = bob.createBatch(Api.batchBody("Bob's batch", 1, 1));
    assertThat(ids(bob.get(BASE))).contains(bobs).doesNotContain(alicesBatch);
    assertThat(ids(alice.get(BASE))).contains(alicesBatch).doesNotContain(bobs);
    assertThat(ids(alice.get(BASE + "?owner=bob")))
        .as("a faculty member's owner filter is ignored")
        .doesNotContain(bobs);
    assertThat(ids(admin.get(BASE))).contains(alicesBatch, bobs);
    assertThat(ids(admin.get(BASE + "?owner=alice"))).contains(alicesBatch).doesNotContain(bobs);
    bob.control(bobs, "cancel");
  }

  @Test
  @DisplayName(
      "An admin reads and steers any batch, and each transition's actor (owner, admin or system)"
          + " is in the history")
  void adminSteersAnyBatch() {
    String id = alice.createBatch(Api.batchBody("Steered by the admin", 2, 1));
    assertThat(admin.get(BASE + "/" + id).status()).isEqualTo(200);
    assertThat(admin.get(BASE + "/" + id + "/items").status()).isEqualTo(200);

    assertThat(admin.control(id, "pause").status()).isEqualTo(200);
    assertThat(alice.control(id, "resume").status()).isEqualTo(200);
    assertThat(admin.control(id, "cancel").json().getString("status")).isEqualTo("cancelled");

    List<String> actors =
        admin.get(BASE + "/" + id + "/events").json().getJsonArray("data").stream()
            .map(
                e ->
                    ((JsonObject) e).getString("to") + " by " + ((JsonObject) e).getString("actor"))
            .toList();
    assertThat(actors)
        .containsSubsequence(
            "running by alice", "paused by admin", "running by alice", "cancelled by admin");
    assertThat(
            fixture
                .db()
                .queryLong(
                    "SELECT count(*) FROM batch_events WHERE batch_id = '"
                        + id
                        + "' AND actor = 'admin' AND to_status = 'paused'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("The same idempotency key from two owners makes two batches, one each")
  void idempotencyPerOwner() {
    JsonObject body = Api.batchBody("Keyed", 1, 1);
    String a = create(alice, body, "same-key");
    String b = create(bob, body, "same-key");
    assertThat(a).isNotEqualTo(b);
    assertThat(create(alice, body, "same-key")).isEqualTo(a);
    alice.control(a, "cancel");
    bob.control(b, "cancel");
  }

  private static String create(Api api, JsonObject body, String key) {
    Api.Reply reply =
        api.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.port() + BASE))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
    assertThat(reply.status()).as(reply.body()).isIn(200, 201);
    return reply.json().getString("id");
  }

  private static List<String> ids(Api.Reply list) {
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    return list.json().getJsonArray("data").stream()
        .map(b -> ((JsonObject) b).getString("id"))
        .toList();
  }

  private static Api.Reply call(Api api, String method, String path) {
    return method.equals("GET") ? api.get(path) : api.post(path, "{\"reason\":\"not mine\"}");
  }
}
