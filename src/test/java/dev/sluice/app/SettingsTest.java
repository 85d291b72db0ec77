package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.observe.LogFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  @DisplayName("The defaults are those documented in config/sluice.yaml")
  void defaults() {
    SluiceConfig c = Settings.load(List.of(), Map.of());
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.auth().enabled()).isFalse();
    assertThat(c.management().enabled()).isFalse();
    assertThat(c.databaseUrl()).isNull();
    assertThat(c.dataDir()).hasToString("./data");
    assertThat(c.generator()).isEqualTo("simulated");
    assertThat(c.simulated().latencyMs()).isEqualTo(300);
    assertThat(c.simulated().failureRate()).isEqualTo(0.02);
    assertThat(c.batch().commitMaxDelay()).isEqualTo(Duration.ofMillis(20));
    assertThat(c.batch().outputSchemaLimits().maxBytes()).isEqualTo(65536);
    assertThat(c.batch().outputSchemaLimits().maxDepth()).isEqualTo(64);
    assertThat(c.batch().nodeId()).isNotBlank();
    assertThat(c.logFormat()).isEqualTo(LogFormat.CONSOLE);
  }

  @Test
  @DisplayName(
      "Without authentication Sluice refuses to serve a non-loopback address, in one sentence"
          + " naming what to set; with an admin key or a JWT secret it serves it")
  void nonLoopbackNeedsAuthentication() {
    for (String host : List.of("0.0.0.0", "::", "192.168.1.20", "sluice.example.edu")) {
      assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_HTTP_HOST", host)))
          .as(host)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("will not serve " + host + " without authentication")
          .hasMessageContaining("SLUICE_ADMIN_KEY")
          .hasMessageContaining("SLUICE_HTTP_HOST=127.0.0.1");
    }
    for (String host : List.of("127.0.0.1", "localhost", "::1", "127.0.0.2")) {
      assertThat(Settings.load(List.of(), Map.of("SLUICE_HTTP_HOST", host)).auth().enabled())
          .as(host)
          .isFalse();
    }
    String key = "sk-sluice-0123456789abcdefghijklmn";
    assertThat(
            Settings.load(List.of(), Map.of("SLUICE_HTTP_HOST", "0.0.0.0", "SLUICE_ADMIN_KEY", key))
                .auth()
                .enabled())
        .isTrue();
    assertThat(
            Settings.load(
                    List.of(),
                    Map.of(
                        "SLUICE_HTTP_HOST",
                        "0.0.0.0",
                        "SLUICE_JWT_SECRET",
                        "a-shared-secret-of-at-least-32-characters"))
                .auth()
                .enabled())
        .isTrue();
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_ADMIN_KEY", "short")))
        .hasMessageContaining("at least 24 characters");
    assertThat(Settings.load(List.of(), Map.of("SLUICE_ADMIN_KEY", key)).auth().toString())
        .doesNotContain(key);
  }

  @Test
  @DisplayName(
      "node.event-loops (SLUICE_NODE_EVENT_LOOPS) is two per CPU core by default, a count when set,"
          + " and out of range stops the start")
  void eventLoops() {
    assertThat(Settings.load(List.of(), Map.of()).eventLoops())
        .isEqualTo(2 * Runtime.getRuntime().availableProcessors());
    assertThat(Settings.load(List.of("--node.event-loops=3"), Map.of()).eventLoops()).isEqualTo(3);
    assertThat(Settings.load(List.of(), Map.of("SLUICE_NODE_EVENT_LOOPS", "1")).eventLoops())
        .isEqualTo(1);
    for (String bad : List.of("-1", "257", "many")) {
      assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_NODE_EVENT_LOOPS", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("node.event-loops");
    }
  }

  @Test
  @DisplayName(
      "http.instances (SLUICE_HTTP_INSTANCES) is every event loop by default, a count when set,"
          + " and out of range stops the start")
  void httpInstances() {
    assertThat(Settings.load(List.of(), Map.of()).http().instances()).isZero();
    SluiceConfig defaults = Settings.load(List.of(), Map.of());
    assertThat(defaults.http().serverInstances(defaults.eventLoops()))
        .isEqualTo(2 * Runtime.getRuntime().availableProcessors());
    SluiceConfig three = Settings.load(List.of(), Map.of("SLUICE_HTTP_INSTANCES", "3"));
    assertThat(three.http().serverInstances(three.eventLoops())).isEqualTo(3);
    SluiceConfig oneLoop = Settings.load(List.of(), Map.of("SLUICE_NODE_EVENT_LOOPS", "1"));
    assertThat(oneLoop.http().serverInstances(oneLoop.eventLoops())).isEqualTo(1);
    assertThatThrownBy(() -> Settings.load(List.of("--http.instances=-1"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.instances");
  }

  @Test
  @DisplayName(
      "SLUICE_LOG_FORMAT (log.format) picks console or json, and any other value stops the start")
  void logFormat() {
    assertThat(Settings.load(List.of(), Map.of("SLUICE_LOG_FORMAT", "json")).logFormat())
        .isEqualTo(LogFormat.JSON);
    assertThat(Settings.load(List.of("--log.format=JSON"), Map.of()).logFormat())
        .isEqualTo(LogFormat.JSON);
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_LOG_FORMAT", "xml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SLUICE_LOG_FORMAT")
        .hasMessageContaining("console or json");
  }

  @Test
  @DisplayName("Environment variables override the file, and flags override the environment")
  void overrides() {
    SluiceConfig c =
        Settings.load(
            List.of("--http.port=9191"),
            Map.of(
                "SLUICE_HTTP_PORT", "9090",
                "SLUICE_HTTP_HOST", "127.0.0.1",
                "DATABASE_URL", "postgresql://app:s3cret@db.internal:6543/sluice",
                "SLUICE_DATA_DIR", "/var/lib/sluice",
                "SLUICE_SIMULATED_LATENCY_MS", "0",
                "SLUICE_SIMULATED_FAILURE_RATE", "0.5",
                "SLUICE_NODE_ID", "node-a"));
    assertThat(c.http().port()).isEqualTo(9191);
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.databaseUrl()).isEqualTo("postgresql://app:s3cret@db.internal:6543/sluice");
    assertThat(c.dataDir()).hasToString("/var/lib/sluice");
    assertThat(c.simulated().latencyMs()).isZero();
    assertThat(c.simulated().failureRate()).isEqualTo(0.5);
    assertThat(c.batch().nodeId()).isEqualTo("node-a");
  }

  @Test
  @DisplayName("An unknown SLUICE_ variable stops the start with a sentence naming it")
  void unknownEnvironment() {
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_HTTP_PROT", "80")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SLUICE_HTTP_PROT");
  }

  @Test
  @DisplayName("An unknown flag or a malformed argument stops the start")
  void unknownFlag() {
    assertThatThrownBy(() -> Settings.load(List.of("--http.prot=1"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.prot");
    assertThatThrownBy(() -> Settings.load(List.of("port"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--key=value");
  }

  @Test
  @DisplayName(
      "Invalid values stop the start with the setting, its variable, the allowed range and the value given")
  void invalidValues() {
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_HTTP_PORT", "eighty")))
        .hasMessage(
            "Setting http.port (SLUICE_HTTP_PORT) must be a whole number from 0 to 65535; got 'eighty'.");
    assertThatThrownBy(
            () -> Settings.load(List.of(), Map.of("SLUICE_SIMULATED_FAILURE_RATE", "1.5")))
        .hasMessageContaining("SLUICE_SIMULATED_FAILURE_RATE")
        .hasMessageContaining("0.0 to 1.0");
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_GENERATOR", "magic")))
        .hasMessageContaining("SLUICE_GENERATOR");
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("DATABASE_URL", "mysql://x")))
        .hasMessageContaining("DATABASE_URL");
  }

  @Test
  @DisplayName(
      "The HTTP server's idle, header and body timeouts default to 60 s, 10 s and 60 s and can be set")
  void httpTimeouts() {
    SluiceConfig defaults = Settings.load(List.of(), Map.of());
    assertThat(defaults.http().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(defaults.http().headerTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.http().bodyTimeout()).isEqualTo(Duration.ofSeconds(60));

    SluiceConfig set =
        Settings.load(
            List.of("--http.body-timeout-ms=5000"),
            Map.of(
                "SLUICE_HTTP_IDLE_TIMEOUT_MS", "90000", "SLUICE_HTTP_HEADER_TIMEOUT_MS", "2000"));
    assertThat(set.http().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(set.http().headerTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(set.http().bodyTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_HTTP_IDLE_TIMEOUT_MS", "10")))
        .hasMessageContaining("SLUICE_HTTP_IDLE_TIMEOUT_MS")
        .hasMessageContaining("1000");
  }

  @Test
  @DisplayName("A bad database URL is refused without echoing its password")
  void badUrlHidesPassword() {
    assertThatThrownBy(
            () -> Settings.load(List.of(), Map.of("DATABASE_URL", "postgresql://u:topsecret@")))
        .hasMessageNotContaining("topsecret");
  }

  @Test
  @DisplayName("Database URLs parse into their parts, with defaults for port and user")
  void databaseUrls() {
    DatabaseUrl full = DatabaseUrl.parse("postgresql://app:p%40ss@db:6543/sluice");
    assertThat(full).isEqualTo(new DatabaseUrl("db", 6543, "sluice", "app", "p@ss"));
    assertThat(full.redacted()).doesNotContain("p@ss");
    assertThat(full.jdbcUrl()).isEqualTo("jdbc:postgresql://db:6543/sluice");
    assertThat(DatabaseUrl.parse("postgres://localhost/x"))
        .isEqualTo(new DatabaseUrl("localhost", 5432, "x", "postgres", null));
  }

  @Test
  @DisplayName(
      "Clustering is off unless SLUICE_CLUSTER is true; the member list, host, port, name and grace"
          + " are read, and a bad member or flag stops the start")
  void cluster() {
    SluiceConfig alone = Settings.load(List.of(), Map.of());
    assertThat(alone.cluster().enabled()).isFalse();
    assertThat(alone.cluster().port()).isEqualTo(5701);
    assertThat(alone.cluster().host()).isEqualTo("127.0.0.1");
    assertThat(alone.cluster().name()).isEqualTo("sluice");
    assertThat(alone.cluster().nodeIdGiven()).isFalse();
    assertThat(alone.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));

    SluiceConfig c =
        Settings.load(
            List.of(),
            Map.of(
                "SLUICE_CLUSTER", "true",
                "SLUICE_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5702,,",
                "SLUICE_CLUSTER_PORT", "5801",
                "SLUICE_NODE_ID", "n1",
                "SLUICE_SHUTDOWN_GRACE_MS", "500"));
    assertThat(c.cluster().enabled()).isTrue();
    assertThat(c.cluster().members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5702");
    assertThat(c.cluster().port()).isEqualTo(5801);
    assertThat(c.cluster().nodeIdGiven()).isTrue();
    assertThat(c.batch().nodeId()).isEqualTo("n1");
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofMillis(500));

    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_CLUSTER", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SLUICE_CLUSTER")
        .hasMessageContaining("true or false");
    assertThatThrownBy(
            () -> Settings.load(List.of(), Map.of("SLUICE_CLUSTER_MEMBERS", "host:port")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SLUICE_CLUSTER_MEMBERS")
        .hasMessageContaining("'host:port'");
    assertThatThrownBy(() -> Settings.load(List.of(), Map.of("SLUICE_CLUSTER_NAME", " ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SLUICE_CLUSTER_NAME");
  }
}
