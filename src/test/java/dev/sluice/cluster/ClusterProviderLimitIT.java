package dev.sluice.cluster;

import static dev.sluice.cluster.ClusterNodes.awaitEnded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.JarProcess;
import dev.sluice.support.OpenAiTestServer;
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
 * Two Sluice processes (the packaged jar) clustered over Hazelcast with one provider request limit:
 * the limit holds for the cluster as a whole, not for each node, and both nodes send requests.
 */
class ClusterProviderLimitIT {

  @RegisterExtension static final ClusterNodes nodes = new ClusterNodes();

  @Test
  @DisplayName("Two nodes sharing a provider limit stay under it together")
  void sharedProviderLimit() {
    OpenAiTestServer provider = nodes.provider();
    List<JarProcess> pair =
        nodes.startCluster(
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
        provider.calls().stream()
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
    provider.calls().stream()
        .filter(c -> c.nanos() > start && c.path().startsWith("/limit"))
        .forEach(c -> served.add(c.path().substring(1, c.path().indexOf('/', 1))));
    assertThat(served).as("both nodes sent requests").hasSize(2);
  }
}
