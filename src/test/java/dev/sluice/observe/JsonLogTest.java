package dev.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.DatabaseUrl;
import dev.sluice.app.Sluice;
import dev.sluice.support.Api;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Sluice started with {@code SLUICE_LOG_FORMAT=json}, its standard output captured: every line is
 * one JSON object, lines about a batch carry its id as a field, each transition is logged once, and
 * no secret reaches the log. The database URL carries a password (the test server trusts local
 * connections, so any password works) that must never show.
 */
class JsonLogTest {

  private static final String PASSWORD = "s3cret-db-pass";

  private static final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private static PrintStream original;
  private static TestDatabase db;
  private static Sluice sluice;
  private static Api api;

  @BeforeAll
  static void start() {
    original = System.out;
    System.setOut(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
    db = TestDatabase.create(JsonLogTest.class);
    DatabaseUrl url = db.url();
    DatabaseUrl withPassword =
        new DatabaseUrl(url.host(), url.port(), url.database(), url.user(), PASSWORD);
    sluice =
        Sluice.start(
            TestConfig.of(
                db,
                "DATABASE_URL",
                withPassword.toString(),
                "SLUICE_LOG_FORMAT",
                "json",
                "SLUICE_SIMULATED_LATENCY_MS",
                "40",
                "SLUICE_SIMULATED_FAILURE_RATE",
                "0"));
    api = new Api(sluice.port());
  }

  @AfterAll
  static void stop() {
    sluice.close();
    db.close();
    LogFormat.CONSOLE.apply();
    System.setOut(original);
  }

  @Test
  @DisplayName(
      "A batch's life is logged as JSON lines that carry its id, one INFO line per transition with from, to, actor and reason")
  void transitionsAreLoggedOnceWithTheBatchId() {
    String id = api.createBatch("json-log", 30, 1);
    assertThat(api.control(id, "pause").status()).isEqualTo(200);
    assertThat(
            api.post("/api/generation/batch/" + id + "/resume", "{\"reason\":\"go on\"}").status())
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("completed"));
    List<JsonObject> history = historyOf(id);

    List<JsonObject> transitions =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> transitionLines(id), lines -> lines.size() == history.size());

    for (int i = 0; i < history.size(); i++) {
      JsonObject line = transitions.get(i);
      JsonObject stored = history.get(i);
      assertThat(line.getString("level")).isEqualTo("INFO");
      assertThat(line.getString("batch")).isEqualTo(id);
      assertThat(line.getString("from")).isEqualTo(stored.getString("from"));
      assertThat(line.getString("to")).isEqualTo(stored.getString("to"));
      assertThat(line.getString("actor")).isEqualTo(stored.getString("actor"));
      assertThat(line.getString("reason")).isEqualTo(stored.getString("reason"));
    }
    assertThat(transitions)
        .extracting(l -> l.getString("from") + ">" + l.getString("to"))
        .containsExactly(
            "created>running", "running>paused", "paused>running", "running>completed");
    assertThat(transitions.get(2).getString("reason")).isEqualTo("go on");
  }

  @Test
  @DisplayName(
      "Every line written in JSON mode parses as one JSON object with time, level and message")
  void everyLineIsJson() {
    LoggerFactory.getLogger(JsonLogTest.class).info("a line of the test's own");

    List<String> lines =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(JsonLogTest::lines, all -> all.stream().anyMatch(l -> l.contains("test's own")));

    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      JsonObject json = parse(line);
      assertThat(json).as(line).isNotNull();
      assertThat(json.getString("@timestamp")).as(line).isNotBlank();
      assertThat(json.getString("level")).as(line).isNotBlank();
      assertThat(json.getString("message")).as(line).isNotNull();
    }
  }

  @Test
  @DisplayName(
      "No secret reaches the log: the database password never, and a URL's password is masked")
  void noSecrets() {
    LoggerFactory.getLogger(JsonLogTest.class)
        .warn(
            "Connecting to postgresql://sluice:hunter2@db:5432/sluice with Authorization: Bearer"
                + " tok-123 and key sk-abcdefghijklmnop");

    // Lines are written by logging's own thread (logback.xml): wait for this one.
    String all =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> captured.toString(StandardCharsets.UTF_8), text -> text.contains("sk-"));

    assertThat(all).doesNotContain(PASSWORD, "hunter2", "tok-123", "abcdefghijklmnop");
    assertThat(all).contains("postgresql://sluice:****@db:5432/sluice", "Bearer ****", "sk-****");
  }

  private static List<JsonObject> historyOf(String id) {
    List<JsonObject> out = new ArrayList<>();
    api.get("/api/generation/batch/" + id + "/events")
        .json()
        .getJsonArray("data")
        .forEach(o -> out.add((JsonObject) o));
    return out;
  }

  private static List<JsonObject> transitionLines(String id) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : lines()) {
      JsonObject json = parse(line);
      if (json != null && id.equals(json.getString("batch")) && json.containsKey("to")) {
        out.add(json);
      }
    }
    return out;
  }

  private static List<String> lines() {
    return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }

  private static JsonObject parse(String line) {
    try {
      return new JsonObject(line);
    } catch (DecodeException e) {
      return null;
    }
  }

  /** Writes to the real standard output and to the capture. */
  private static final class Tee extends OutputStream {
    private final PrintStream first;
    private final ByteArrayOutputStream second;

    Tee(PrintStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
