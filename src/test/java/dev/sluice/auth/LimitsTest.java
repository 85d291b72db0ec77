package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-principal request rate and the live batches one owner may have. */
@DisplayName("One principal's flood or pile of batches is refused with 429 and leaves others alone")
class LimitsTest {

  private static final int PER_MINUTE = 60;
  private static final String LIST = "/api/generation/batch";
  private static final GatedGenerator gate = new GatedGenerator();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
              "SLUICE_ADMIN_KEY",
              AuthenticationTest.ADMIN_KEY,
              "SLUICE_RATE_LIMIT_PER_MINUTE",
              String.valueOf(PER_MINUTE),
              "SLUICE_MAX_LIVE_BATCHES_PER_OWNER",
              "2")
          .generator(vertx -> gate)
          .beforeClose(gate::releaseAll);

  @Test
  @DisplayName(
      "Past its rate a principal gets 429 with Retry-After, another principal is unaffected, and"
          + " the first recovers once its bucket refills")
  void rateLimit() {
    Api alice = fixture.api().as(IsolationTest.keyOn(fixture, "alice"));
    Api bob = fixture.api().as(IsolationTest.keyOn(fixture, "bob"));
    Api.Reply refused = null;
    int served = 0;
    long start = System.nanoTime();
    // The bucket refills while the requests are sent (PER_MINUTE / 60 a second): on a slow machine
    // a few more than PER_MINUTE may pass before the first refusal, never more than that refill.
    while (refused == null && served <= 2 * PER_MINUTE) {
      Api.Reply reply = alice.get(LIST);
      if (reply.status() == 429) {
        refused = reply;
      } else {
        assertThat(reply.status()).isEqualTo(200);
        served++;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(refused).as("a request past the rate is refused").isNotNull();
    assertThat(served)
        .as("the first refusal comes after the burst, and only the refill's worth later")
        .isBetween(PER_MINUTE, PER_MINUTE + (int) Math.ceil(seconds * PER_MINUTE / 60.0) + 1);
    assertThat(refused.contentType()).isEqualTo("application/problem+json");
    assertThat(refused.json().getString("type")).endsWith("/rate-limited");
    String retryAfter = refused.raw().headers().firstValue("Retry-After").orElseThrow();
    assertThat(Long.parseLong(retryAfter)).isBetween(1L, 60L);

    assertThat(bob.get(LIST).status()).as("another principal is not held back").isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> alice.get(LIST).status() == 200);
  }

  @Test
  @DisplayName(
      "An owner with as many running or paused batches as allowed gets 429 on create until one"
          + " ends; admins are not limited")
  void liveBatchesPerOwner() {
    Api carol = fixture.api().as(IsolationTest.keyOn(fixture, "carol"));
    String first = carol.createBatch(Api.batchBody("one", 1, 1));
    carol.createBatch(Api.batchBody("two", 1, 1));

    Api.Reply third = carol.post(LIST, Api.batchBody("three", 1, 1).encode());
    assertThat(third.status()).as(third.body()).isEqualTo(429);
    assertThat(third.json().getString("type")).endsWith("/too-many-live-batches");
    assertThat(third.json().getString("detail")).contains("2 running or paused batches");
    Api.Reply file = OpenAiIsolationTest.upload(carol, OpenAiIsolationTest.requests(1));
    Api.Reply openAi =
        carol.post("/v1/batches", OpenAiIsolationTest.createBody(file.json().getString("id")));
    assertThat(openAi.status()).as(openAi.body()).isEqualTo(429);
    assertThat(openAi.json().getJsonObject("error").getString("message"))
        .contains("2 running or paused batches");
    assertThat(fixture.db().queryLong("SELECT count(*) FROM batches WHERE owner = 'carol'"))
        .isEqualTo(2);

    assertThat(carol.control(first, "cancel").status()).isEqualTo(200);
    assertThat(carol.post(LIST, Api.batchBody("three", 1, 1).encode()).status()).isEqualTo(201);

    Api admin = fixture.api().as(AuthenticationTest.ADMIN_KEY);
    for (int i = 0; i < 3; i++) {
      assertThat(admin.post(LIST, Api.batchBody("admin " + i, 1, 1).encode()).status())
          .isEqualTo(201);
    }
  }
}
