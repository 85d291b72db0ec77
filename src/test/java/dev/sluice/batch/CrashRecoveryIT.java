package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.app.Database;
import dev.sluice.support.Api;
import dev.sluice.support.OpenAiTestServer;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Kills a real Sluice process (the packaged jar) with SIGKILL in the middle of a batch, starts it
 * again on the same database, and checks docs/architecture.md §2 and §4: every item ends exactly
 * once, no finished result is lost or rewritten, the crash costs no attempt, counts add up, the
 * history has one completion, and a paused batch comes back paused.
 */
class CrashRecoveryIT {

  private static final int TOTAL = 600;
  private static final int CONCURRENCY = 16;
  private static final int PAUSED_TOTAL = 20;
  private static final int KILL_AFTER_SUCCEEDED = 2 * CONCURRENCY;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
  private static final Pattern READY =
      Pattern.compile("Sluice is running: http://localhost:(\\d+)/");

  private static @Nullable TestDatabase db;
  private static Path jar = Path.of("target", "sluice.jar");
  private static Path workDir = Path.of("target", "crash-recovery-it");

  private final List<Process> processes = new ArrayList<>();

  /** One item as the database holds it. */
  private record Item(
      String itemId,
      String status,
      @Nullable String output,
      int attempts,
      @Nullable String finishedAt) {}

  /** A started Sluice process and the port it printed. */
  private record Node(Process process, Api api, Path log) {}

  @BeforeAll
  static void setUp() throws IOException {
    jar = Path.of(System.getProperty("sluice.jar", "target/sluice.jar")).toAbsolutePath();
    if (Files.isRegularFile(jar)) {
      workDir = jar.getParent().resolve("crash-recovery-it");
      Files.createDirectories(workDir);
      db = TestDatabase.create(CrashRecoveryIT.class);
    }
  }

  @BeforeEach
  void requireJar() {
    Assumptions.assumeTrue(
        Files.isRegularFile(jar) && db != null,
        "The crash test runs the packaged jar, and "
            + jar
            + " does not exist;"
            + " run it through `mvn verify`, which builds the jar before the integration tests.");
  }

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    processes.clear();
  }

  @AfterAll
  static void dropDatabase() {
    if (db != null) {
      db.close();
      db = null;
    }
  }

  @Test
  @DisplayName(
      "A SIGKILL mid-batch loses, repeats and rewrites nothing, and a paused batch comes back paused")
  void crashMidBatchAndRestart() throws Exception {
    Node first = start("run1");
    String paused = first.api().createBatch("crash-paused", PAUSED_TOTAL, 1);
    Api.Reply pause = first.api().control(paused, "pause");
    assertThat(pause.status()).as("pause answer: %s", pause.body()).isEqualTo(200);
    assertThat(pause.json().getString("status")).isEqualTo("paused");
    String main = first.api().createBatch("crash-main", TOTAL, CONCURRENCY);

    await("some items of the main batch succeed")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> batchLong(main, "succeeded") >= KILL_AFTER_SUCCEEDED);
    kill(first);

    Map<String, Item> mainBefore = items(main);
    Map<String, Item> pausedBefore = items(paused);
    long inFlightAtCrash = count(mainBefore, "in_progress");
    long succeededAtCrash = count(mainBefore, "succeeded");
    System.out.printf(
        "At the crash: %d of %d succeeded, %d in progress%n",
        succeededAtCrash, TOTAL, inFlightAtCrash);
    assertThat(batchText(main, "status")).isEqualTo("running");
    assertThat(succeededAtCrash)
        .as("the crash came mid-batch")
        .isBetween((long) KILL_AFTER_SUCCEEDED, TOTAL / 2L);
    assertThat(inFlightAtCrash).as("items were in progress when the process died").isPositive();
    assertThat(batchText(paused, "status")).isEqualTo("paused");
    assertThat(count(pausedBefore, "succeeded")).isLessThan(PAUSED_TOTAL);

    Node second = start("run2");
    assertThat(second.api().status(paused))
        .as("a paused batch comes back paused")
        .isEqualTo("paused");
    assertThat(second.api().status(main))
        .as("a running batch comes back running")
        .isIn("running", "completed");
    await("the main batch completes after the restart; log in " + second.log())
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "completed".equals(second.api().status(main)));

    Map<String, Item> mainAfter = items(main);
    assertEveryItemSucceededOnce(main, mainAfter, TOTAL);
    assertFinishedResultsKept(mainBefore, mainAfter);
    assertCountsMatchItems(second.api(), main, mainAfter);
    assertHistory(second.api(), main, List.of("created>running", "running>completed"));

    assertStayedPaused(second.api(), paused, pausedBefore);
    Api.Reply resume = second.api().control(paused, "resume");
    assertThat(resume.status()).as("resume answer: %s", resume.body()).isEqualTo(200);
    await("the resumed batch completes")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "completed".equals(second.api().status(paused)));
    Map<String, Item> pausedAfter = items(paused);
    assertEveryItemSucceededOnce(paused, pausedAfter, PAUSED_TOTAL);
    assertFinishedResultsKept(pausedBefore, pausedAfter);
    assertCountsMatchItems(second.api(), paused, pausedAfter);
    assertHistory(
        second.api(),
        paused,
        List.of("created>running", "running>paused", "paused>running", "running>completed"));
  }

  @Test
  @DisplayName(
      "A cancel acknowledged just before a SIGKILL is finished by recovery: nothing stays pending or in progress")
  void cancelThenKill() throws Exception {
    for (int round = 1; round <= 3; round++) {
      Node node = start("cancel" + round, "SLUICE_SIMULATED_LATENCY_MS", "20");
      String id = node.api().createBatch("cancel-kill-" + round, 3_000, 50);
      await("the batch is under way")
          .atMost(RUN_TIMEOUT)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> batchLong(id, "succeeded") >= 100);
      Api.Reply cancel = node.api().control(id, "cancel");
      assertThat(cancel.status()).as("cancel answer: %s", cancel.body()).isEqualTo(200);
      kill(node);
      assertThat(batchText(id, "status"))
          .as("an acknowledged cancel is stored")
          .isEqualTo("cancelled");
      assertStoredCountsMatchItems(id, items(id));

      Node restarted = start("cancel" + round + "-restart");
      await("recovery finishes the cancel; log in " + restarted.log())
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> count(items(id), "pending") + count(items(id), "in_progress") == 0);
      assertThat(restarted.api().status(id)).isEqualTo("cancelled");
      Map<String, Item> after = items(id);
      assertThat(count(after, "succeeded") + count(after, "failed") + count(after, "cancelled"))
          .isEqualTo(3_000);
      assertCountsMatchItems(restarted.api(), id, after);
      kill(restarted);
    }
  }

  @Test
  @DisplayName(
      "Answers still waiting for their group commit at a SIGKILL run again after the restart, and each result is stored once")
  void answeredButNotStoredThenKill() throws Exception {
    int total = 40;
    try (OpenAiTestServer provider = new OpenAiTestServer()) {
      String[] viaProvider = {
        "SLUICE_GENERATOR", "openai",
        "SLUICE_OPENAI_BASE_URL", provider.baseUrl(),
        "SLUICE_OPENAI_MODEL", "gpt-test"
      };
      String[] longDelay =
          Stream.concat(
                  Stream.of(viaProvider), Stream.of("SLUICE_BATCH_COMMIT_MAX_DELAY_MS", "10000"))
              .toArray(String[]::new);
      Node node = start("answered", longDelay);
      // The last item's first call hangs: with every answer in, the group would be stored at once.
      JsonObject body = Api.batchBody("answered-kill", total, 4);
      JsonObject last = body.getJsonArray("items").getJsonObject(total - 1);
      last.put("prompt", last.getString("prompt") + " [hang x1]");
      String id = node.api().createBatch(body);
      // Concurrency 4, yet every item reaches the provider before the first group commit (10 s
      // away): an answered item's slot is free before its result is stored.
      await("every item is asked before anything is stored")
          .atMost(Duration.ofSeconds(8))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> provider.calls().size() >= total);
      assertThat(items(id).values())
          .as("no result is stored before the group commit")
          .allMatch(i -> i.status().equals("pending") && i.output() == null);
      kill(node);

      Node restarted = start("answered-restart", viaProvider);
      await("the batch completes after the restart; log in " + restarted.log())
          .atMost(RUN_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> "completed".equals(restarted.api().status(id)));
      Map<String, Item> after = items(id);
      assertEveryItemSucceededOnce(id, after, total);
      assertCountsMatchItems(restarted.api(), id, after);
      assertThat(provider.calls())
          .as("each item asked once before the crash and once after it")
          .hasSize(2 * total);
      kill(restarted);
    }
  }

  /** Nothing was dispatched while the batch was paused, before or after the restart. */
  private void assertStayedPaused(Api api, String batchId, Map<String, Item> before) {
    Map<String, Item> now = items(batchId);
    assertThat(count(now, "in_progress")).as("in-progress items went back to pending").isZero();
    assertThat(succeeded(now)).as("no item ran while paused").isEqualTo(succeeded(before));
    assertThat(count(now, "pending")).isEqualTo(PAUSED_TOTAL - count(before, "succeeded"));
    assertFinishedResultsKept(before, now);
    assertCountsMatchItems(api, batchId, now);
    assertHistory(api, batchId, List.of("created>running", "running>paused"));
  }

  private static void assertEveryItemSucceededOnce(
      String batchId, Map<String, Item> items, int total) {
    assertThat(
            database()
                .queryLong(
                    "SELECT count(*) FROM items WHERE batch_id = '"
                        + UUID.fromString(batchId)
                        + "'"))
        .as("item rows of %s", batchId)
        .isEqualTo(total);
    assertThat(items.keySet())
        .containsExactlyInAnyOrderElementsOf(
            IntStream.rangeClosed(1, total).mapToObj(i -> "q" + i).toList());
    assertThat(items.values().stream().filter(i -> !i.status().equals("succeeded")).toList())
        .as("items of %s that did not succeed", batchId)
        .isEmpty();
    assertThat(items.values().stream().filter(i -> i.attempts() != 1).toList())
        .as(
            "items of %s with other than one attempt: the crash must not count as a failed attempt",
            batchId)
        .isEmpty();
    assertThat(
            items.values().stream()
                .filter(i -> i.output() == null || i.finishedAt() == null)
                .toList())
        .as("succeeded items of %s without output or finished_at", batchId)
        .isEmpty();
  }

  private static void assertFinishedResultsKept(Map<String, Item> before, Map<String, Item> after) {
    Map<String, Item> finished = succeeded(before);
    List<String> changed =
        finished.entrySet().stream()
            .filter(e -> !e.getValue().equals(after.get(e.getKey())))
            .map(e -> e.getValue() + " became " + after.get(e.getKey()))
            .toList();
    assertThat(changed)
        .as("results finished before the crash that were lost or rewritten")
        .isEmpty();
  }

  private static void assertCountsMatchItems(Api api, String batchId, Map<String, Item> items) {
    JsonObject counts = api.counts(batchId);
    Map<String, Long> byStatus = new TreeMap<>();
    items.values().forEach(i -> byStatus.merge(i.status(), 1L, Long::sum));
    String[][] columns = {
      {"pending", "pending", "pending"},
      {"in_progress", "in_progress", "inProgress"},
      {"succeeded", "succeeded", "succeeded"},
      {"failed", "failed", "failed"},
      {"cancelled", "cancelled", "cancelled"},
    };
    long sum = 0;
    for (String[] c : columns) {
      long expected = byStatus.getOrDefault(c[0], 0L);
      assertThat(batchLong(batchId, c[1])).as("batches.%s", c[1]).isEqualTo(expected);
      assertThat(counts.getLong(c[2])).as("counts.%s in the API", c[2]).isEqualTo(expected);
      sum += batchLong(batchId, c[1]);
    }
    assertThat(batchLong(batchId, "total")).isEqualTo(items.size()).isEqualTo(sum);
    assertThat(counts.getLong("total")).isEqualTo(items.size());
  }

  /** The batch row as the crash left it counts exactly the item rows as the crash left them. */
  private static void assertStoredCountsMatchItems(String batchId, Map<String, Item> items) {
    Map<String, Long> byStatus = new TreeMap<>();
    items.values().forEach(i -> byStatus.merge(i.status(), 1L, Long::sum));
    for (String column : List.of("pending", "in_progress", "succeeded", "failed", "cancelled")) {
      assertThat(batchLong(batchId, column))
          .as("batches.%s against the items, as the crash left them", column)
          .isEqualTo(byStatus.getOrDefault(column, 0L));
    }
  }

  private static void assertHistory(Api api, String batchId, List<String> expected) {
    Api.Reply reply = api.get("/api/generation/batch/" + batchId + "/events");
    assertThat(reply.status()).isEqualTo(200);
    List<String> history =
        reply.json().getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .map(e -> e.getString("from") + ">" + e.getString("to"))
            .toList();
    assertThat(history).as("history of %s", batchId).containsExactlyElementsOf(expected);
  }

  private Node start(String name, String... overrides) {
    Path log = workDir.resolve("sluice-" + name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("LANG", "C.UTF-8");
    env.put("DATABASE_URL", database().url().toString());
    env.put("SLUICE_HTTP_HOST", "127.0.0.1");
    env.put("SLUICE_HTTP_PORT", "0");
    env.put("SLUICE_DATA_DIR", workDir.resolve("data").toString());
    // The same node id on both runs, and a lease far longer than the test: the restarted process
    // must take its own leases back at once instead of waiting for them to run out.
    env.put("SLUICE_NODE_ID", "crash-node");
    env.put("SLUICE_NODE_LEASE_TTL_MS", "600000");
    env.put("SLUICE_SIMULATED_LATENCY_MS", "40");
    env.put("SLUICE_SIMULATED_FAILURE_RATE", "0");
    env.put("SLUICE_BATCH_RETRY_BACKOFF_MS", "20");
    env.put("SLUICE_BATCH_RETRY_BACKOFF_MAX_MS", "200");
    for (int i = 0; i + 1 < overrides.length; i += 2) {
      env.put(overrides[i], overrides[i + 1]);
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    processes.add(process);
    int port =
        await("Sluice (" + name + ") prints where it listens; log in " + log)
            .atMost(START_TIMEOUT)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> readyPort(process, log), p -> p > 0);
    return new Node(process, new Api(port), log);
  }

  private static int readyPort(Process process, Path log) throws IOException {
    String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    Matcher m = READY.matcher(text);
    if (m.find()) {
      return Integer.parseInt(m.group(1));
    }
    if (!process.isAlive()) {
      throw new AssertionError(
          "Sluice exited with " + process.exitValue() + " before it was ready:\n" + text);
    }
    return 0;
  }

  /**
   * SIGKILL, then wait until the dead process's database sessions are gone, so the rows are final.
   */
  private void kill(Node node) throws InterruptedException {
    node.process().destroyForcibly();
    assertThat(node.process().waitFor(60, TimeUnit.SECONDS)).as("the process died").isTrue();
    assertThat(node.process().exitValue()).as("exit code after SIGKILL").isEqualTo(137);
    processes.remove(node.process());
    await("the killed process's database sessions end")
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                database()
                        .queryLong(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND pid <> pg_backend_pid()")
                    == 0);
  }

  private static TestDatabase database() {
    TestDatabase d = db;
    if (d == null) {
      throw new IllegalStateException("no test database");
    }
    return d;
  }

  private static long batchLong(String batchId, String column) {
    return database()
        .queryLong(
            "SELECT " + column + " FROM batches WHERE id = '" + UUID.fromString(batchId) + "'");
  }

  private static String batchText(String batchId, String column) {
    return query("SELECT " + column + " FROM batches WHERE id = ?", batchId, rs -> rs.getString(1))
        .get(0);
  }

  private static Map<String, Item> items(String batchId) {
    List<Item> rows =
        query(
            "SELECT item_id, status, output, attempts, finished_at::text FROM items WHERE batch_id = ? ORDER BY seq",
            batchId,
            rs ->
                new Item(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getInt(4),
                    rs.getString(5)));
    Map<String, Item> out = new LinkedHashMap<>();
    rows.forEach(i -> out.merge(i.itemId(), i, (a, b) -> a));
    assertThat(out).as("item ids of %s are unique", batchId).hasSize(rows.size());
    return out;
  }

  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static <T> List<T> query(String sql, String batchId, RowReader<T> reader) {
    try (Connection c = Database.connect(database().url());
        PreparedStatement st = c.prepareStatement(sql)) {
      st.setObject(1, UUID.fromString(batchId));
      List<T> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(reader.read(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private static long count(Map<String, Item> items, String status) {
    return items.values().stream().filter(i -> i.status().equals(status)).count();
  }

  private static Map<String, Item> succeeded(Map<String, Item> items) {
    return items.entrySet().stream()
        .filter(e -> e.getValue().status().equals("succeeded"))
        .collect(
            Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
  }
}
