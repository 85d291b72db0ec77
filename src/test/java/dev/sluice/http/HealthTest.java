package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import dev.sluice.support.TcpProxy;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The probes against a Sluice whose database sits behind a TCP proxy the test controls: cutting the
 * proxy takes the database away (connections drop, new ones are refused) as a network fault or a
 * database restart would, without stopping the PostgreSQL server other tests share.
 */
class HealthTest {

  @RegisterExtension
  static final SluiceFixture fixture = SluiceFixture.withSettings().throughProxy();

  private final Api api = fixture.api();
  private final TcpProxy proxy = fixture.proxy();

  @Test
  @DisplayName("Liveness answers UP as JSON, not cached")
  void liveness() {
    Api.Reply live = api.get("/health/live");

    assertThat(live.status()).isEqualTo(200);
    assertThat(live.contentType()).isEqualTo("application/json");
    assertThat(live.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(live.json()).isEqualTo(new JsonObject().put("status", "UP"));
  }

  @Test
  @DisplayName(
      "Readiness lists each check's state: database, migrations, recovery and runners up, the cluster not applicable")
  void readinessReportsEachCheck() {
    Api.Reply ready = api.get("/health/ready");

    assertThat(ready.status()).isEqualTo(200);
    JsonObject checks = ready.json().getJsonObject("checks");
    assertThat(ready.json().getString("status")).isEqualTo("UP");
    assertThat(checks.fieldNames())
        .containsExactly("database", "migrations", "recovery", "runners", "cluster");
    assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("UP");
    assertThat(checks.getJsonObject("migrations").getString("status")).isEqualTo("UP");
    assertThat(checks.getJsonObject("recovery").getString("status")).isEqualTo("UP");
    assertThat(checks.getJsonObject("runners").getString("status")).isEqualTo("UP");
    assertThat(checks.getJsonObject("runners").getString("detail"))
        .isEqualTo("every live batch has a runner");
    assertThat(checks.getJsonObject("cluster").getString("status")).isEqualTo("NOT_APPLICABLE");
    assertThat(checks.getJsonObject("cluster").getString("detail")).contains("clustering");
  }

  @Test
  @DisplayName(
      "Readiness turns false while the database is unreachable and true again when it returns, without a restart")
  void readinessFollowsTheDatabase() {
    assertThat(api.get("/health/ready").status()).isEqualTo(200);

    proxy.cut();
    try {
      await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/health/ready").status() == 503);
      Api.Reply down = api.get("/health/ready");
      assertThat(down.json().getString("status")).isEqualTo("DOWN");
      JsonObject database = down.json().getJsonObject("checks").getJsonObject("database");
      assertThat(database.getString("status")).isEqualTo("DOWN");
      assertThat(database.getString("detail")).isNotBlank();
      assertThat(down.json().getJsonObject("checks").getJsonObject("recovery").getString("status"))
          .isEqualTo("UP");
      assertThat(api.get("/health/live").status())
          .as("the process still answers: liveness does not follow the database")
          .isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> api.get("/metrics").body().contains("sluice_ready 0.0"));
    } finally {
      proxy.restore();
    }

    await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/health/ready").status() == 200);
    assertThat(api.get("/health/ready").json().getString("status")).isEqualTo("UP");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> api.get("/metrics").body().contains("sluice_ready 1.0"));
  }
}
