package dev.sluice.cluster;

import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.JarFixture;
import dev.sluice.support.JarProcess;
import dev.sluice.support.OpenAiTestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Clusters of Sluice processes (the packaged jar) on loopback for one test class, joined over
 * Hazelcast and sharing the class's own database and one loopback provider, which each node reaches
 * under a path of its own name, so that every request shows which node sent it.
 */
final class ClusterNodes extends JarFixture {

  /** The nodes' lease, unless a test sets its own. */
  static final long LEASE_MS = 8_000;

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  private @Nullable OpenAiTestServer provider;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    super.beforeAll(context);
    provider = new OpenAiTestServer().latency(40);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (provider != null) {
        provider.close();
        provider = null;
      }
    } finally {
      super.afterAll(context);
    }
  }

  /**
   * Starts {@code n} nodes named {@code <prefix>-a}, {@code <prefix>-b}, … as one cluster of their
   * own, with {@code extra} settings over the defaults here, and waits until each is ready and sees
   * all {@code n} members.
   */
  List<JarProcess> startCluster(String prefix, int n, Map<String, String> extra) {
    String clusterName = "sluice-it-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports.add(JarProcess.freePort());
    }
    String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    List<JarProcess> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = prefix + "-" + (char) ('a' + i);
      Map<String, String> env = env();
      env.put("SLUICE_GENERATOR", "openai");
      env.put("SLUICE_OPENAI_BASE_URL", provider().baseUrl().replace("/v1", "/" + name + "/v1"));
      env.put("SLUICE_OPENAI_MODEL", "test-model");
      env.put("SLUICE_NODE_ID", name);
      env.put("SLUICE_NODE_LEASE_TTL_MS", Long.toString(LEASE_MS));
      env.put("SLUICE_SHUTDOWN_GRACE_MS", "5000");
      env.put("SLUICE_CLUSTER", "true");
      env.put("SLUICE_CLUSTER_NAME", clusterName);
      env.put("SLUICE_CLUSTER_HOST", "127.0.0.1");
      env.put("SLUICE_CLUSTER_PORT", Integer.toString(ports.get(i)));
      env.put("SLUICE_CLUSTER_MEMBERS", members);
      env.putAll(extra);
      started.add(launch(name, env));
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

  /** The class's batches as the shared database holds them. */
  ClusterRows rows() {
    return new ClusterRows(database());
  }

  /** The provider every node sends its requests to. */
  OpenAiTestServer provider() {
    OpenAiTestServer p = provider;
    if (p == null) {
      throw new IllegalStateException("no provider");
    }
    return p;
  }

  /** Waits until each of the batches is completed or cancelled, as {@code api}'s node says. */
  static void awaitEnded(Api api, List<String> ids) {
    await("batches end: " + ids)
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                ids.stream()
                    .allMatch(id -> Set.of("completed", "cancelled").contains(api.status(id))));
  }
}
