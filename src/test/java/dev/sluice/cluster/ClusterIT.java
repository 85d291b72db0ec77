package dev.sluice.cluster;

import static dev.sluice.cluster.ClusterRows.byName;
import static dev.sluice.cluster.ClusterRows.names;
import static dev.sluice.cluster.ClusterRows.runnerStops;
import static dev.sluice.cluster.ClusterRows.watchRescues;
import static dev.sluice.cluster.ClusterRows.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.JarProcess;
import dev.sluice.support.OpenAiTestServer;
import dev.sluice.support.SseClient;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Three Sluice processes (the packaged jar) on loopback, clustered over Hazelcast and sharing one
 * database and one loopback provider: placement spreads batches, any node answers controls and
 * streams for any batch, and a node that is killed, frozen past its lease or stopped hands its
 * batches to the others with every item ending exactly once (docs/architecture.md).
 */
class ClusterIT {

  private static final long LEASE_MS = 8_000;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  private static @Nullable TestDatabase db;
  private static @Nullable OpenAiTestServer provider;
  private static @Nullable ClusterRows rows;
  private static Path jar = Path.of("target", "sluice.jar");
  private static Path workDir = Path.of("target", "cluster-it");

  private final List<JarProcess> nodes = new ArrayList<>();

  @BeforeAll
  static void setUp() throws IOException {
    jar = Path.of(System.getProperty("sluice.jar", "target/sluice.jar")).toAbsolutePath();
    if (Files.isRegularFile(jar)) {
      workDir = jar.getParent().resolve("cluster-it");
      Files.createDirectories(workDir);
      db = TestDatabase.create(ClusterIT.class);
      provider = new OpenAiTestServer().latency(40);
    }
  }

  @BeforeEach
  void requireJar() {
    Assumptions.assumeTrue(
        Files.isRegularFile(jar) && db != null,
        "The cluster test runs the packaged jar; run it through `mvn verify`.");
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(JarProcess::destroy);
    nodes.clear();
  }

  @AfterAll
  static void tearDown() {
    if (provider != null) {
      provider.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  @DisplayName(
      "Three nodes: batches spread, any node controls and streams any batch, and SIGKILL, SIGSTOP"
          + " and SIGTERM of an owner lose and repeat nothing")
  void threeNodes() throws Exception {
    List<JarProcess> cluster = startCluster("c3", 3, Map.of());
    JarProcess a = cluster.get(0);

    List<String> batches = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      batches.add(a.api().createBatch("spread-" + i, 600, 2));
    }
    Set<String> owners = new HashSet<>();
    batches.forEach(id -> owners.add(rows().owner(id)));
    assertThat(owners).as("owners of nine batches created through one node").hasSize(3);

    String controlled = batches.get(0);
    Api other = rows().nonOwner(cluster, controlled).api();
    assertControl(other, controlled, "pause", "paused");
    assertControl(other, controlled, "resume", "running");
    assertControl(
        rows().nonOwner(cluster, batches.get(1)).api(), batches.get(1), "cancel", "cancelled");
    followStreamThroughNonOwner(cluster, batches.get(2));
    retryFailedThroughNonOwner(cluster);

    // SIGKILL of the owner of a paused batch and of running ones.
    String paused = batches.get(3);
    assertControl(a.api(), paused, "pause", "paused");
    JarProcess victim = byName(cluster, rows().owner(paused));
    List<String> victimsRunning =
        batches.stream()
            .filter(
                id -> rows().owner(id).equals(victim.name()) && "running".equals(rows().status(id)))
            .toList();
    assertThat(victimsRunning).as("the victim runs batches when it dies").isNotEmpty();
    long killed = System.nanoTime();
    victim.process().destroyForcibly();
    assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<JarProcess> survivors = without(cluster, victim);
    Set<String> survivorNames = names(survivors);
    await("survivors take the killed node's running batches over")
        .atMost(Duration.ofMillis(LEASE_MS))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> victimsRunning.stream().allMatch(id -> survivorNames.contains(rows().owner(id))));
    System.out.printf(
        "Takeover after SIGKILL: %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    await("the paused batch moves too, still paused")
        .atMost(Duration.ofMillis(LEASE_MS))
        .until(() -> survivorNames.contains(rows().owner(paused)));
    assertThat(rows().status(paused)).isEqualTo("paused");
    List<String> finishing = new ArrayList<>(batches);
    finishing.remove(batches.get(1));
    finishing.remove(paused);
    awaitEnded(survivors.get(0).api(), finishing);
    assertControl(survivors.get(1).api(), paused, "resume", "running");
    awaitEnded(survivors.get(0).api(), List.of(paused));
    batches.forEach(rows()::assertEveryItemEndedOnce);

    frozenOwnerIsFenced(survivors);
  }

  /** SIGSTOP of an owner past its lease, takeover, SIGCONT; then SIGTERM of the new owner. */
  private void frozenOwnerIsFenced(List<JarProcess> survivors) throws Exception {
    String big = survivors.get(0).api().createBatch("frozen", 800, 2);
    JarProcess frozen = byName(survivors, rows().owner(big));
    JarProcess other = without(survivors, frozen).get(0);
    long epoch = rows().batchLong(big, "epoch");
    await("the batch is under way").until(() -> rows().batchLong(big, "succeeded") > 20);
    frozen.signal("STOP");
    long stopped = System.nanoTime();
    await("the other node claims the frozen node's batch once its lease runs out")
        .atMost(Duration.ofMillis(LEASE_MS + 5_000))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> other.name().equals(rows().owner(big)));
    System.out.printf(
        "Takeover after SIGSTOP: %d ms (lease %d ms)%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped), LEASE_MS);
    assertThat(rows().batchLong(big, "epoch")).isGreaterThan(epoch);
    // The new owner dispatches at once, while the old one is still frozen and possibly still a
    // member: its runner waits neither for its address to be known cluster-wide nor for the runner
    // watch to wake it (docs/decisions.md, "A runner dispatches before its address is known
    // cluster-wide").
    long rescues = watchRescues(other);
    long done = rows().batchLong(big, "succeeded");
    await("the batch makes progress on its new owner while the old one is frozen")
        .atMost(Duration.ofMillis(LEASE_MS))
        .until(() -> rows().batchLong(big, "succeeded") > done + 10);
    assertThat(watchRescues(other))
        .as("runners the watch had to wake on the new owner; log in " + other.log())
        .isEqualTo(rescues);
    long stopsBefore = runnerStops(frozen);
    long resumed = System.nanoTime();
    frozen.signal("CONT");
    // It learns it either from its lease renewal, refused, or from the commit it had in
    // flight when it froze, refused or failed: either way its runner stops.
    await("the frozen node gives the batch up; log in " + frozen.log())
        .atMost(Duration.ofSeconds(20))
        .until(() -> runnerStops(frozen) > stopsBefore);
    await("the batch makes progress on its new owner")
        .until(() -> rows().batchLong(big, "succeeded") > 200);
    assertThat(
            provider().calls().stream()
                .filter(c -> c.path().startsWith("/" + frozen.name() + "/"))
                .filter(c -> c.nanos() > resumed)
                .toList())
        .as("requests the frozen node sent after it came back")
        .isEmpty();

    // SIGTERM of the new owner: it hands the batch over without waiting for its lease.
    other.process().destroy();
    assertThat(other.process().waitFor(60, TimeUnit.SECONDS)).as("SIGTERM stops it").isTrue();
    long exited = System.nanoTime();
    await("the batch is handed over at once, not after its lease")
        .atMost(Duration.ofMillis(LEASE_MS / 2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> frozen.name().equals(rows().owner(big)));
    System.out.printf(
        "Takeover after SIGTERM: %d ms after the process exited%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exited));
    assertThat(other.logText()).contains("Handed over");
    awaitEnded(frozen.api(), List.of(big));
    rows().assertEveryItemEndedOnce(big);
  }

  @Test
  @DisplayName(
      "Batches taken from a frozen member dispatch on their new owner while the frozen one is"
          + " still a member, without the runner watch waking them")
  void takeoverWhileFrozenMemberStays() throws Exception {
    // A lease shorter than the time the cluster takes to drop a silent member (at least 5 s): the
    // claims come while the frozen node is still a member, and in a cluster of two every write to
    // the event bus's registrations waits for it until then.
    List<JarProcess> pair = startCluster("stay", 2, Map.of("SLUICE_NODE_LEASE_TTL_MS", "2500"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(pair.get(i % 2).api().createBatch("stay-" + i, 400, 2));
    }
    JarProcess frozen = byName(pair, rows().owner(ids.get(0)));
    JarProcess other = without(pair, frozen).get(0);
    List<String> taken = ids.stream().filter(id -> rows().owner(id).equals(frozen.name())).toList();
    await("the batches are under way")
        .until(() -> taken.stream().allMatch(id -> rows().batchLong(id, "succeeded") > 10));
    long rescues = watchRescues(other);
    frozen.signal("STOP");
    try {
      await("the other node claims the frozen node's batches once their leases run out")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> taken.stream().allMatch(id -> other.name().equals(rows().owner(id))));
      Map<String, Long> done = new HashMap<>();
      taken.forEach(id -> done.put(id, rows().batchLong(id, "succeeded")));
      await("each taken batch makes progress on its new owner while the old one is frozen")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  taken.stream()
                      .allMatch(id -> rows().batchLong(id, "succeeded") > done.get(id) + 5));
      assertThat(watchRescues(other))
          .as("runners the watch had to wake on the new owner; log in " + other.log())
          .isEqualTo(rescues);
    } finally {
      frozen.signal("CONT");
    }
    awaitEnded(other.api(), ids);
    ids.forEach(rows()::assertEveryItemEndedOnce);
  }

  @Test
  @DisplayName("Two nodes sharing a provider limit stay under it together")
  void sharedProviderLimit() {
    List<JarProcess> pair =
        startCluster(
            "limit",
            2,
            Map.of(
                "SLUICE_PROVIDER_REQUESTS_PER_WINDOW", "20",
                "SLUICE_PROVIDER_WINDOW_MS", "1000"));
    long start = System.nanoTime();
    List<String> ids = new ArrayList<>();
    for (JarProcess node : pair) {
      ids.add(node.api().createBatch("limited-" + node.name(), 60, 8));
    }
    awaitEnded(pair.get(0).api(), ids);
    List<Long> times =
        provider().calls().stream()
            .filter(c -> c.nanos() > start && c.prompt().contains("exam question"))
            .filter(c -> c.path().startsWith("/limit"))
            .map(OpenAiTestServer.Call::nanos)
            .sorted()
            .toList();
    assertThat(times).hasSizeGreaterThanOrEqualTo(120);
    int most = 0;
    for (int i = 0; i < times.size(); i++) {
      int j = i;
      while (j < times.size() && times.get(j) - times.get(i) < TimeUnit.SECONDS.toNanos(1)) {
        j++;
      }
      most = Math.max(most, j - i);
    }
    assertThat(most)
        .as("requests in any one-second window, both nodes together")
        .isLessThanOrEqualTo(20);
    Set<String> served = new HashSet<>();
    provider().calls().stream()
        .filter(c -> c.nanos() > start && c.path().startsWith("/limit"))
        .forEach(c -> served.add(c.path().substring(1, c.path().indexOf('/', 1))));
    assertThat(served).as("both nodes sent requests").hasSize(2);
  }

  private List<JarProcess> startCluster(String prefix, int n, Map<String, String> extra) {
    String clusterName = "sluice-it-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports.add(JarProcess.freePort());
    }
    String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    List<JarProcess> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = prefix + "-" + (char) ('a' + i);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("DATABASE_URL", database().url().toString());
      env.put("SLUICE_HTTP_HOST", "127.0.0.1");
      env.put("SLUICE_HTTP_PORT", "0");
      env.put("SLUICE_DATA_DIR", workDir.resolve("data").toString());
      env.put("SLUICE_GENERATOR", "openai");
      env.put("SLUICE_OPENAI_BASE_URL", provider().baseUrl().replace("/v1", "/" + name + "/v1"));
      env.put("SLUICE_OPENAI_MODEL", "test-model");
      env.put("SLUICE_NODE_ID", name);
      env.put("SLUICE_NODE_LEASE_TTL_MS", Long.toString(LEASE_MS));
      env.put("SLUICE_SHUTDOWN_GRACE_MS", "5000");
      env.put("SLUICE_BATCH_RETRY_BACKOFF_MS", "20");
      env.put("SLUICE_BATCH_RETRY_BACKOFF_MAX_MS", "200");
      env.put("SLUICE_CLUSTER", "true");
      env.put("SLUICE_CLUSTER_NAME", clusterName);
      env.put("SLUICE_CLUSTER_HOST", "127.0.0.1");
      env.put("SLUICE_CLUSTER_PORT", Integer.toString(ports.get(i)));
      env.put("SLUICE_CLUSTER_MEMBERS", members);
      env.putAll(extra);
      JarProcess p = JarProcess.launch(jar, workDir, name, env);
      nodes.add(p);
      started.add(p);
    }
    started.forEach(JarProcess::awaitReady);
    for (JarProcess p : started) {
      await("node " + p.name() + " sees " + n + " members")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> p.api().get("/health/ready").body().contains(n + " members"));
    }
    return started;
  }

  private static void assertControl(Api api, String id, String command, String expected) {
    Api.Reply reply = api.control(id, command);
    assertThat(reply.status()).as("%s of %s: %s", command, id, reply.body()).isEqualTo(200);
    assertThat(reply.json().getString("status")).isEqualTo(expected);
    assertThat(rows().status(id)).isEqualTo(expected);
  }

  private static void followStreamThroughNonOwner(List<JarProcess> cluster, String id) {
    JarProcess reader = rows().nonOwner(cluster, id);
    try (SseClient stream =
        SseClient.connect(reader.port(), "/api/generation/batch/" + id + "/stream", null)) {
      long first =
          stream
              .next("batch", Duration.ofSeconds(10))
              .json()
              .getJsonObject("counts")
              .getLong("succeeded");
      long later = first;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (later <= first && System.nanoTime() < deadline) {
        later =
            stream
                .next("batch", Duration.ofSeconds(10))
                .json()
                .getJsonObject("counts")
                .getLong("succeeded");
      }
      assertThat(later)
          .as("progress seen through a node that does not run the batch")
          .isGreaterThan(first);
    }
  }

  private static void retryFailedThroughNonOwner(List<JarProcess> cluster) {
    JsonArray items = new JsonArray();
    for (int i = 1; i <= 12; i++) {
      String prompt =
          i % 4 == 0 ? "Refused question " + i + " [always 400]" : "Retry question " + i;
      items.add(new JsonObject().put("id", "r" + i).put("prompt", prompt));
    }
    String id =
        cluster
            .get(1)
            .api()
            .createBatch(
                new JsonObject().put("name", "retry").put("maxAttempts", 1).put("items", items));
    awaitEnded(cluster.get(1).api(), List.of(id));
    assertThat(rows().batchLong(id, "failed")).isEqualTo(3);
    Api.Reply reply = rows().nonOwner(cluster, id).api().control(id, "retry-failed");
    assertThat(reply.status()).as("retry-failed: %s", reply.body()).isEqualTo(200);
    assertThat(reply.json().getString("status")).isEqualTo("running");
    awaitEnded(cluster.get(2).api(), List.of(id));
    assertThat(rows().batchLong(id, "failed")).isEqualTo(3);
    rows().assertEveryItemEndedOnce(id);
  }

  private static void awaitEnded(Api api, List<String> ids) {
    await("batches end: " + ids)
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                ids.stream()
                    .allMatch(id -> Set.of("completed", "cancelled").contains(api.status(id))));
  }

  private static TestDatabase database() {
    TestDatabase d = db;
    if (d == null) {
      throw new IllegalStateException("no test database");
    }
    return d;
  }

  private static ClusterRows rows() {
    ClusterRows r = rows;
    if (r == null) {
      r = new ClusterRows(database());
      rows = r;
    }
    return r;
  }

  private static OpenAiTestServer provider() {
    OpenAiTestServer p = provider;
    if (p == null) {
      throw new IllegalStateException("no provider");
    }
    return p;
  }
}
