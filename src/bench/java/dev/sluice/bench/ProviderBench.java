package dev.sluice.bench;

import static org.awaitility.Awaitility.await;

import dev.sluice.app.Sluice;
import dev.sluice.support.Api;
import dev.sluice.support.OpenAiTestServer;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How close Sluice runs to a provider's request limit: a loopback OpenAI-compatible provider that
 * answers in 50 ms, a limit of 3,000 requests per minute enforced per second (50 per 1,000 ms
 * sliding window, as providers enforce per-minute limits over shorter periods), and one 2,000-item
 * batch. Prints the achieved rate as a share of the limit, the most requests the provider saw in
 * any one-second window, and the batch's wall time against the ideal of 2,000 / 50 per second.
 *
 * <p>Run: {@code mvn -q -B test-compile exec:java -Dexec.classpathScope=test
 * -Dmain.class=dev.sluice.bench.ProviderBench} (needs PostgreSQL on 127.0.0.1:5432).
 */
public final class ProviderBench {

  private static final int LIMIT = 50;
  private static final int WINDOW_MS = 1000;
  private static final int ITEMS = 2000;
  private static final int RUNS = 3;

  private ProviderBench() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "machine: %d cores, Java %s, %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        System.getProperty("os.name"));
    double[] shares = new double[RUNS];
    double[] walls = new double[RUNS];
    long worstWindow = 0;
    for (int run = 0; run < RUNS; run++) {
      Result r = once();
      shares[run] = r.share;
      walls[run] = r.wallSeconds;
      worstWindow = Math.max(worstWindow, r.maxInWindow);
      System.out.printf(
          Locale.ROOT,
          "run %d: %d requests, achieved %.1f%% of the limit, at most %d in any %d ms window (limit"
              + " %d), wall time %.2f s (ideal %.2f s, ratio %.3f)%n",
          run + 1,
          r.requests,
          r.share * 100,
          r.maxInWindow,
          WINDOW_MS,
          LIMIT,
          r.wallSeconds,
          ideal(),
          r.wallSeconds / ideal());
    }
    java.util.Arrays.sort(shares);
    java.util.Arrays.sort(walls);
    System.out.printf(
        Locale.ROOT,
        "median: achieved %.1f%% of the limit (target >= 95%%: %s), most in one window %d of %d"
            + " (never above: %s), wall time %.2f s vs ideal %.2f s (ratio %.3f)%n",
        shares[RUNS / 2] * 100,
        shares[RUNS / 2] >= 0.95 ? "PASS" : "MISS",
        worstWindow,
        LIMIT,
        worstWindow <= LIMIT ? "PASS" : "MISS",
        walls[RUNS / 2],
        ideal(),
        walls[RUNS / 2] / ideal());
    System.exit(0);
  }

  private static double ideal() {
    return (double) ITEMS / LIMIT * WINDOW_MS / 1000.0;
  }

  private record Result(int requests, double share, long maxInWindow, double wallSeconds) {}

  private static Result once() {
    try (TestDatabase db = TestDatabase.create(ProviderBench.class);
        OpenAiTestServer provider = new OpenAiTestServer().latency(50)) {
      Sluice sluice =
          Sluice.start(
              TestConfig.of(
                  db,
                  "SLUICE_GENERATOR",
                  "openai",
                  "SLUICE_OPENAI_BASE_URL",
                  provider.baseUrl(),
                  "SLUICE_OPENAI_MODEL",
                  "bench",
                  "SLUICE_PROVIDER_REQUESTS_PER_WINDOW",
                  String.valueOf(LIMIT),
                  "SLUICE_PROVIDER_WINDOW_MS",
                  String.valueOf(WINDOW_MS)));
      try {
        Api api = new Api(sluice.port());
        waitFor(api, api.createBatch(batch("warm-up", 60)));
        long lastWarmUpCall = provider.calls().get(provider.calls().size() - 1).nanos();
        await("the warm-up's requests leave the window")
            .atMost(Duration.ofMinutes(1))
            .until(
                () ->
                    System.nanoTime() - lastWarmUpCall
                        > TimeUnit.MILLISECONDS.toNanos(2L * WINDOW_MS));
        int before = provider.calls().size();
        long start = System.nanoTime();
        waitFor(api, api.createBatch(batch("measured", ITEMS)));
        double wall = (System.nanoTime() - start) / 1e9;
        List<Long> at =
            provider.calls().subList(before, provider.calls().size()).stream()
                .map(c -> TimeUnit.NANOSECONDS.toMillis(c.nanos()))
                .sorted()
                .toList();
        long maxInWindow = 0;
        int j = 0;
        for (int i = 0; i < at.size(); i++) {
          while (at.get(i) - at.get(j) >= WINDOW_MS) {
            j++;
          }
          maxInWindow = Math.max(maxInWindow, i - j + 1);
        }
        double spanSeconds = (at.get(at.size() - 1) - at.get(0)) / 1000.0;
        // The first window's requests go out at once; the rest, over the time they took, make the
        // sustained rate.
        double share = (at.size() - LIMIT) / spanSeconds / (LIMIT * 1000.0 / WINDOW_MS);
        return new Result(at.size(), share, maxInWindow, wall);
      } finally {
        sluice.close();
      }
    }
  }

  private static JsonObject batch(String name, int n) {
    JsonArray items = new JsonArray();
    for (int i = 1; i <= n; i++) {
      items.add(new JsonObject().put("id", name + i).put("prompt", name + " question " + i));
    }
    return new JsonObject().put("name", name).put("concurrency", 100).put("items", items);
  }

  private static void waitFor(Api api, String id) {
    await("batch " + id + " completes")
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> api.status(id).equals("completed"));
  }
}
