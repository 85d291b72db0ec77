package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.JarFixture;
import dev.sluice.support.JarProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sluice processes started from the packaged jar on the test class's own database, one at a time
 * under the same node id, and killed with SIGKILL; {@link #rows()} reads what they left behind.
 */
final class CrashNodes extends JarFixture {

  /** How long a batch may take to reach what a test waits for. */
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  private static final Duration SESSIONS_TIMEOUT = Duration.ofSeconds(90);

  /** A started Sluice process and a client for its API. */
  record Node(JarProcess process, Api api) {
    Path log() {
      return process.log();
    }
  }

  /** Starts Sluice on the class's database and waits until it is ready. */
  Node start(String name) {
    return start(name, Map.of());
  }

  /**
   * Starts Sluice on the class's database with {@code overrides} (environment variable names to
   * values) over the defaults, and waits until it is ready.
   */
  Node start(String name, Map<String, String> overrides) {
    Map<String, String> env = env();
    // The same node id on every run, and a lease far longer than the test: a restarted process
    // must take its own leases back at once instead of waiting for them to run out.
    env.put("SLUICE_NODE_ID", "crash-node");
    env.put("SLUICE_NODE_LEASE_TTL_MS", "600000");
    env.put("SLUICE_SIMULATED_LATENCY_MS", "40");
    env.put("SLUICE_SIMULATED_FAILURE_RATE", "0");
    env.putAll(overrides);
    JarProcess process = launch(name, env).awaitReady();
    return new Node(process, process.api());
  }

  /**
   * SIGKILL, then wait until the dead process's database sessions are gone, so the rows are final.
   */
  void kill(Node node) throws InterruptedException {
    Process process = node.process().process();
    process.destroyForcibly();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process died").isTrue();
    assertThat(process.exitValue()).as("exit code after SIGKILL").isEqualTo(137);
    await("the killed process's database sessions end")
        .atMost(SESSIONS_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                database()
                        .queryLong(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND pid <> pg_backend_pid()")
                    == 0);
  }

  /** The class's batches and items as the database holds them. */
  CrashRows rows() {
    return new CrashRows(database());
  }
}
