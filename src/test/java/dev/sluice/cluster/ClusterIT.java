package dev.sluice.cluster;

import static dev.sluice.cluster.ClusterNodes.LEASE_MS;
import static dev.sluice.cluster.ClusterNodes.awaitEnded;
import static dev.sluice.cluster.ClusterRows.byName;
import static dev.sluice.cluster.ClusterRows.names;
import static dev.sluice.cluster.ClusterRows.runnerStops;
import static dev.sluice.cluster.ClusterRows.watchRescues;
import static dev.sluice.cluster.ClusterRows.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.JarProcess;
import dev.sluice.support.SseClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Sluice processes (the packaged jar) on loopback, clustered over Hazelcast and sharing one
 * database and one loopback provider: placement spreads batches, any node answers controls and
 * streams for any batch, and a node that is killed, frozen past its lease or stopped hands its
 * batches to the others with every item ending exactly once (docs/architecture.md).
 */
class ClusterIT {

  @RegisterExtension static final ClusterNodes nodes = new ClusterNodes();

  @Test
  @DisplayName(
      "Three nodes: batches spread, any node controls and streams any batch, and SIGKILL, SIGSTOP"
          + " and SIGTERM of an owner lose and repeat nothing")
  void threeNodes() throws Exception {
    ClusterRows rows = nodes.rows();
    List<JarProcess> cluster = nodes.startCluster("c3", 3, Map.of());
    JarProcess a = cluster.get(0);

    List<String> batches = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      batches.add(a.api().createBatch("spread-" + i, 600, 2));
    }
    Set<String> owners = new HashSet<>();
    batches.forEach(id -> owners.add(rows.owner(id)));
    assertThat(owners).as("owners of nine batches created through one node").hasSize(3);

    String controlled = batches.get(0);
    Api other = rows.nonOwner(cluster, controlled).api();
    assertControl(other, controlled, "pause", "paused");
    assertControl(other, controlled, "resume", "running");
    assertControl(
        rows.nonOwner(cluster, batches.get(1)).api(), batches.get(1), "cancel", "cancelled");
    followStreamThroughNonOwner(cluster, batches.get(2));
    retryFailedThroughNonOwner(cluster);

    List<JarProcess> survivors = killedOwnerHandsOver(cluster, batches);
    frozenOwnerIsFenced(survivors);
  }

  /**
   * SIGKILL of the owner of a paused batch and of running ones: the survivors take them all over,
   * the paused one still paused, and finish them; batch 1 was cancelled before.
   */
  private static List<JarProcess> killedOwnerHandsOver(
      List<JarProcess> cluster, List<String> batches) throws InterruptedException {
    ClusterRows rows = nodes.rows();
    String paused = batches.get(3);
    assertControl(cluster.get(0).api(), paused, "pause", "paused");
    JarProcess victim = byName(cluster, rows.owner(paused));
    List<String> victimsRunning =
        batches.stream()
            .filter(id -> rows.owner(id).equals(victim.name()) && "running".equals(rows.status(id)))
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
            () -> victimsRunning.stream().allMatch(id -> survivorNames.contains(rows.owner(id))));
    System.out.printf(
        "Takeover after SIGKILL: %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    await("the paused batch moves too, still paused")
        .atMost(Duration.ofMillis(LEASE_MS))
        .until(() -> survivorNames.contains(rows.owner(paused)));
    assertThat(rows.status(paused)).isEqualTo("paused");
    List<String> finishing = new ArrayList<>(batches);
    finishing.remove(batches.get(1));
    finishing.remove(paused);
    awaitEnded(survivors.get(0).api(), finishing);
    assertControl(survivors.get(1).api(), paused, "resume", "running");
    awaitEnded(survivors.get(0).api(), List.of(paused));
    batches.forEach(rows::assertEveryItemEndedOnce);
    return survivors;
  }

  /** SIGSTOP of an owner past its lease, takeover, SIGCONT; then SIGTERM of the new owner. */
  private static void frozenOwnerIsFenced(List<JarProcess> survivors) throws InterruptedException {
    ClusterRows rows = nodes.rows();
    String big = survivors.get(0).api().createBatch("frozen", 800, 2);
    JarProcess frozen = byName(survivors, rows.owner(big));
    JarProcess other = without(survivors, frozen).get(0);
    long epoch = rows.batchLong(big, "epoch");
    await("the batch is under way").until(() -> rows.batchLong(big, "succeeded") > 20);
    frozen.signal("STOP");
    long stopped = System.nanoTime();
    await("the other node claims the frozen node's batch once its lease runs out")
        .atMost(Duration.ofMillis(LEASE_MS + 5_000))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> other.name().equals(rows.owner(big)));
    System.out.printf(
        "Takeover after SIGSTOP: %d ms (lease %d ms)%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped), LEASE_MS);
    assertThat(rows.batchLong(big, "epoch")).isGreaterThan(epoch);
    // The new owner dispatches at once, while the old one is still frozen and possibly still a
    // member: its runner waits neither for its address to be known cluster-wide nor for the runner
    // watch to wake it (docs/decisions.md, "A runner dispatches before its address is known
    // cluster-wide").
    long rescues = watchRescues(other);
    long done = rows.batchLong(big, "succeeded");
    await("the batch makes progress on its new owner while the old one is frozen")
        .atMost(Duration.ofMillis(LEASE_MS))
        .until(() -> rows.batchLong(big, "succeeded") > done + 10);
    assertThat(watchRescues(other))
        .as("runners the watch had to wake on the new owner; log in " + other.log())
        .isEqualTo(rescues);
    thawedOwnerStaysFenced(frozen, big);
    terminatedOwnerHandsOver(other, frozen, big);
  }

  /** SIGCONT of the frozen former owner: it gives the batch up and sends nothing more for it. */
  private static void thawedOwnerStaysFenced(JarProcess frozen, String big) {
    ClusterRows rows = nodes.rows();
    long stopsBefore = runnerStops(frozen);
    long resumed = System.nanoTime();
    frozen.signal("CONT");
    // It learns it either from its lease renewal, refused, or from the commit it had in
    // flight when it froze, refused or failed: either way its runner stops.
    await("the frozen node gives the batch up; log in " + frozen.log())
        .atMost(Duration.ofSeconds(20))
        .until(() -> runnerStops(frozen) > stopsBefore);
    await("the batch makes progress on its new owner")
        .until(() -> rows.batchLong(big, "succeeded") > 200);
    assertThat(
            nodes.provider().calls().stream()
                .filter(c -> c.path().startsWith("/" + frozen.name() + "/"))
                .filter(c -> c.nanos() > resumed)
                .toList())
        .as("requests the frozen node sent after it came back")
        .isEmpty();
  }

  /** SIGTERM of the owner: it hands the batch over without waiting for its lease. */
  private static void terminatedOwnerHandsOver(JarProcess owner, JarProcess heir, String big)
      throws InterruptedException {
    ClusterRows rows = nodes.rows();
    owner.process().destroy();
    assertThat(owner.process().waitFor(60, TimeUnit.SECONDS)).as("SIGTERM stops it").isTrue();
    long exited = System.nanoTime();
    await("the batch is handed over at once, not after its lease")
        .atMost(Duration.ofMillis(LEASE_MS / 2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> heir.name().equals(rows.owner(big)));
    System.out.printf(
        "Takeover after SIGTERM: %d ms after the process exited%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exited));
    assertThat(owner.logText()).contains("Handed over");
    awaitEnded(heir.api(), List.of(big));
    rows.assertEveryItemEndedOnce(big);
  }

  private static void assertControl(Api api, String id, String command, String expected) {
    Api.Reply reply = api.control(id, command);
    assertThat(reply.status()).as("%s of %s: %s", command, id, reply.body()).isEqualTo(200);
    assertThat(reply.json().getString("status")).isEqualTo(expected);
    assertThat(nodes.rows().status(id)).isEqualTo(expected);
  }

  private static void followStreamThroughNonOwner(List<JarProcess> cluster, String id) {
    JarProcess reader = nodes.rows().nonOwner(cluster, id);
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
    ClusterRows rows = nodes.rows();
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
    assertThat(rows.batchLong(id, "failed")).isEqualTo(3);
    Api.Reply reply = rows.nonOwner(cluster, id).api().control(id, "retry-failed");
    assertThat(reply.status()).as("retry-failed: %s", reply.body()).isEqualTo(200);
    assertThat(reply.json().getString("status")).isEqualTo("running");
    awaitEnded(cluster.get(2).api(), List.of(id));
    assertThat(rows.batchLong(id, "failed")).isEqualTo(3);
    rows.assertEveryItemEndedOnce(id);
  }
}
