package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.http.Problems;
import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sluice with authentication on (an admin key, an HS256 secret, RSA and EC public keys, an issuer
 * and an audience): who gets in, who gets a 401 and why, and what a faculty key may not do.
 */
@DisplayName("With authentication on, every API route needs a valid API key or token")
class AuthenticationTest {

  static final String ADMIN_KEY = "sk-sluice-operator-key-for-the-tests-0123";
  private static final String LIST = "/api/generation/batch";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_ADMIN_KEY",
          ADMIN_KEY,
          "SLUICE_KEY_SECRET",
          "the-key-secret-of-this-test",
          "SLUICE_JWT_SECRET",
          Jwts.SECRET,
          "SLUICE_JWT_PUBLIC_KEYS",
          Jwts.publicKeyFiles(),
          "SLUICE_JWT_ISSUER",
          Jwts.ISSUER,
          "SLUICE_JWT_AUDIENCE",
          Jwts.AUDIENCE,
          "SLUICE_SIMULATED_LATENCY_MS",
          "5");

  private final Api anonymous = fixture.api();
  private final Api admin = fixture.api().as(ADMIN_KEY);

  static Stream<Arguments> refusedCredentials() {
    JsonObject valid = Jwts.claims("carol");
    long now = System.currentTimeMillis() / 1000;
    byte[] rsaPem = Jwts.pem(Jwts.RSA.getPublic()).getBytes(StandardCharsets.US_ASCII);
    return Stream.of(
        Arguments.of("no Authorization header", null),
        Arguments.of("a Basic header", "Basic YWxpY2U6c2VjcmV0"),
        Arguments.of("an empty bearer", "Bearer "),
        Arguments.of("a malformed token", "Bearer not.a.jwt"),
        Arguments.of("an unknown API key", "Bearer sk-sluice-nobody-ever-made-this-key-0000"),
        Arguments.of(
            "an expired token",
            "Bearer " + Jwts.hs256(valid.copy().put("exp", now - 600), Jwts.SECRET)),
        Arguments.of(
            "a token not valid yet",
            "Bearer " + Jwts.hs256(valid.copy().put("nbf", now + 600), Jwts.SECRET)),
        Arguments.of(
            "a token signed with another secret",
            "Bearer " + Jwts.hs256(valid, "another-secret-of-at-least-thirty-two-chars")),
        Arguments.of(
            "a token of another issuer",
            "Bearer " + Jwts.hs256(valid.copy().put("iss", "https://evil.example/"), Jwts.SECRET)),
        Arguments.of(
            "a token for another audience",
            "Bearer " + Jwts.hs256(valid.copy().put("aud", "grading"), Jwts.SECRET)),
        Arguments.of("an unsigned token (alg: none)", "Bearer " + Jwts.none(valid)),
        Arguments.of(
            "an HS256 token signed with the RSA public key (algorithm confusion)",
            "Bearer " + Jwts.hs256WithKeyBytes(valid, rsaPem)),
        Arguments.of(
            "an RS256 token signed by a key Sluice does not know",
            "Bearer " + Jwts.rs256(valid, Jwts.otherRsaKey())),
        Arguments.of(
            "a token without a subject",
            "Bearer " + Jwts.hs256(valid.copy().put("sub", ""), Jwts.SECRET)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedCredentials")
  @DisplayName("A missing or bad credential is a 401 problem with WWW-Authenticate: Bearer")
  void refused(String what, String authorization) {
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + fixture.port() + LIST))
            .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    Api.Reply reply = anonymous.send(request);

    assertThat(reply.status()).as(reply.body()).isEqualTo(401);
    assertThat(reply.contentType()).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(reply.raw().headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(reply.json().getString("type"))
        .isEqualTo("https://sluice.dev/problems/unauthorized");
    assertThat(reply.json().getString("detail")).isNotBlank();
    if (authorization != null && authorization.length() > 20) {
      assertThat(reply.body()).doesNotContain(authorization.substring(7));
    }
  }

  @Test
  @DisplayName(
      "HS256, RS256 and ES256 tokens from the single sign-on are accepted; sub is the owner")
  void validTokens() {
    JsonObject claims = Jwts.claims("dave");
    for (String token :
        new String[] {
          Jwts.hs256(claims, Jwts.SECRET),
          Jwts.rs256(claims, Jwts.RSA.getPrivate()),
          Jwts.es256(claims, Jwts.EC.getPrivate())
        }) {
      Api dave = fixture.api().as(token);
      Api.Reply list = dave.get(LIST);
      assertThat(list.status()).as(list.body()).isEqualTo(200);
    }
    Api dave = fixture.api().as(Jwts.es256(claims, Jwts.EC.getPrivate()));
    String id = dave.createBatch(Api.batchBody("Dave's batch", 1, 1));
    assertThat(fixture.db().queryText("SELECT owner FROM batches WHERE id = '" + id + "'"))
        .isEqualTo("dave");
  }

  @Test
  @DisplayName("A token whose roles claim names sluice:admin is an admin; without it, faculty")
  void adminRoleFromToken() {
    String faculty = Jwts.hs256(Jwts.claims("erin"), Jwts.SECRET);
    String adminToken =
        Jwts.hs256(
            Jwts.claims("frank").put("roles", new JsonArray().add("staff").add("sluice:admin")),
            Jwts.SECRET);
    assertThat(fixture.api().as(faculty).get("/api/keys").status()).isEqualTo(403);
    assertThat(fixture.api().as(adminToken).get("/api/keys").status()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "An admin creates a key (shown once, sk-sluice-…), lists keys without key material, and a"
          + " revoked key is refused at once")
  void keyLifecycle() {
    Api.Reply created =
        admin.post(
            "/api/keys",
            new JsonObject()
                .put("owner", "alice")
                .put("role", "faculty")
                .put("name", "laptop")
                .encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonObject key = created.json();
    assertThat(key.getString("key")).startsWith("sk-sluice-").hasSizeGreaterThan(40);
    assertThat(key.getString("owner")).isEqualTo("alice");
    assertThat(key.getString("role")).isEqualTo("faculty");
    assertThat(key.getString("createdAt")).isNotBlank();
    String secret = key.getString("key");

    assertThat(
            fixture
                .db()
                .queryLong(
                    "SELECT count(*) FROM api_keys WHERE position('"
                        + secret
                        + "' IN"
                        + " encode(key_hash, 'escape')) > 0 OR name = '"
                        + secret
                        + "'"))
        .as("the key itself is stored nowhere")
        .isZero();
    Api alice = fixture.api().as(secret);
    assertThat(alice.get(LIST).status()).isEqualTo(200);

    Api.Reply listed = admin.get("/api/keys");
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body()).contains(key.getString("id")).doesNotContain(secret);

    assertThat(alice.get("/api/keys").status())
        .as("a faculty key on an admin route")
        .isEqualTo(403);
    assertThat(alice.delete("/api/keys/" + key.getString("id")).status()).isEqualTo(403);

    assertThat(admin.delete("/api/keys/" + key.getString("id")).status()).isEqualTo(204);
    Api.Reply after = alice.get(LIST);
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.json().getString("detail")).contains("revoked");
    assertThat(admin.delete("/api/keys/key_doesnotexist").status()).isEqualTo(404);
  }

  @Test
  @DisplayName("Creating a key checks its owner and role: bad input is a 422 naming the field")
  void keyValidation() {
    assertThat(admin.post("/api/keys", "{\"role\":\"faculty\"}").json().getString("field"))
        .isEqualTo("owner");
    assertThat(admin.post("/api/keys", "{\"owner\":\"a\",\"role\":\"root\"}").status())
        .isEqualTo(422);
    assertThat(admin.post("/api/keys", "{\"owner\":\"system\"}").status()).isEqualTo(422);
    assertThat(admin.post("/api/keys", "{\"owner\":42}").status()).isEqualTo(422);
    assertThat(admin.post("/api/keys", "[]").status()).isEqualTo(400);
  }

  @Test
  @DisplayName(
      "The probes stay open; /metrics without a management port needs an admin; /v1 answers 401"
          + " in OpenAI's error shape")
  void openAndAdminRoutes() {
    assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
    assertThat(anonymous.get("/metrics").status()).isEqualTo(401);
    String faculty = Jwts.hs256(Jwts.claims("gina"), Jwts.SECRET);
    assertThat(fixture.api().as(faculty).get("/metrics").status()).isEqualTo(403);
    assertThat(admin.get("/metrics").status()).isEqualTo(200);

    Api.Reply v1 = anonymous.get("/v1/batches");
    assertThat(v1.status()).isEqualTo(401);
    JsonObject error = v1.json().getJsonObject("error");
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("code")).isEqualTo("invalid_api_key");
    assertThat(error.containsKey("param")).isTrue();
  }

  @Test
  @DisplayName("The live stream needs a credential too")
  void streamNeedsCredential() {
    String id = admin.createBatch(Api.batchBody("Streamed", 1, 1));
    assertThat(anonymous.get(LIST + "/" + id + "/stream").status()).isEqualTo(401);
    await().atMost(Duration.ofSeconds(20)).until(() -> admin.status(id).equals("completed"));
  }
}
