package dev.sluice.bench.faults;

import dev.sluice.bench.SluiceProcess;
import dev.sluice.bench.Stats;
import dev.sluice.support.Api;
import dev.sluice.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Part (d): a crowd of control requests at once (pause and resume alternating) over a few running
 * batches. The client is java.net.http over HTTP/1.1 with no connection limit, so each request in
 * flight has a TCP connection of its own; those connections are opened beforehand by as many
 * concurrent {@code GET /health/live}, so the measured requests do not wait for TCP handshakes.
 */
final class ControlCrowd {

  private static final int BATCHES = 4;
  private static final double TARGET_P99_MS = 200;

  private final Context ctx;
  private final Report out;

  ControlCrowd(Context ctx) {
    this.ctx = ctx;
    this.out = ctx.report();
  }

  void run() throws Exception {
    int crowd = ctx.options().crowd();
    out.section(
        String.format(
            Locale.ROOT,
            "(d) crowd: %,d concurrent pause/resume requests over %d running batches (20,000 items each, concurrency 8,"
                + " simulated 20 ms); java.net.http HttpClient, HTTP/1.1, sendAsync on a cached thread pool, one connection"
                + " per request in flight, opened beforehand by %,d concurrent GET /health/live",
            crowd,
            BATCHES,
            crowd));
    TestDatabase db = ctx.database();
    SluiceProcess p = ctx.spawn("crowd", Context.settings(Context.url(db), 20, 0));
    p.awaitReady(120_000, 20);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < BATCHES; i++) {
      ids.add(p.http().create(Api.batchBody("crowd-" + i, 20_000, 8).encode()));
    }
    ExecutorService executor = Executors.newCachedThreadPool();
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(executor)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    try {
      String base = "http://127.0.0.1:" + p.port();
      List<HttpRequest> warm = new ArrayList<>();
      for (int i = 0; i < crowd; i++) {
        warm.add(
            HttpRequest.newBuilder(URI.create(base + "/health/live"))
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build());
      }
      Map<String, Integer> warmStatus = fire(client, warm, new ArrayList<>());
      out.say("  connections opened by the warm-up: %s", warmStatus);
      List<HttpRequest> controls = new ArrayList<>();
      for (int i = 0; i < crowd; i++) {
        String command = (i / BATCHES) % 2 == 0 ? "pause" : "resume";
        controls.add(
            HttpRequest.newBuilder(
                    URI.create(
                        base + "/api/generation/batch/" + ids.get(i % BATCHES) + "/" + command))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(""))
                .build());
      }
      List<Double> latencies = new ArrayList<>();
      long t0 = System.nanoTime();
      Map<String, Integer> statuses = fire(client, controls, latencies);
      double wall = (System.nanoTime() - t0) / 1e6;
      report(statuses, latencies, wall, p);
    } finally {
      executor.shutdownNow();
    }
    p.stop();
  }

  /** Sends every request at once; counts the answers by status and records each latency in ms. */
  private static Map<String, Integer> fire(
      HttpClient client, List<HttpRequest> requests, List<Double> latencies) {
    List<CompletableFuture<String>> all = new ArrayList<>();
    for (HttpRequest r : requests) {
      long start = System.nanoTime();
      all.add(
          client
              .sendAsync(r, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (resp, err) -> {
                    double ms = (System.nanoTime() - start) / 1e6;
                    synchronized (latencies) {
                      latencies.add(ms);
                    }
                    return err == null
                        ? Integer.toString(resp.statusCode())
                        : "error: " + rootCause(err);
                  }));
    }
    Map<String, Integer> statuses = new TreeMap<>();
    for (CompletableFuture<String> f : all) {
      statuses.merge(f.join(), 1, Integer::sum);
    }
    return statuses;
  }

  private static String rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName();
  }

  private void report(
      Map<String, Integer> statuses, List<Double> latencies, double wall, SluiceProcess p) {
    double p50 = Stats.percentile(latencies, 50);
    double p99 = Stats.percentile(latencies, 99);
    double max = Stats.max(latencies);
    int fives =
        statuses.entrySet().stream()
            .filter(e -> e.getKey().startsWith("5"))
            .mapToInt(Map.Entry::getValue)
            .sum();
    int errors =
        statuses.entrySet().stream()
            .filter(e -> e.getKey().startsWith("error"))
            .mapToInt(Map.Entry::getValue)
            .sum();
    out.say(
        "  answers by status: %s (409 is a fine answer: the batch was already in that state)",
        statuses);
    out.say(
        "  latency, request → response: p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 ≤ %.0f ms); all %,d answered in %.0f ms",
        p50, p99, max, TARGET_P99_MS, latencies.size(), wall);
    boolean pass = p99 <= TARGET_P99_MS && fives == 0 && errors == 0 && p.alive();
    out.verdict(
        "crowd",
        pass,
        String.format(
            Locale.ROOT,
            "p99 %.1f ms (target ≤ 200 ms), p50 %.1f ms, max %.1f ms; %d 5xx, %d without an answer (targets 0)",
            p99,
            p50,
            max,
            fives,
            errors));
  }
}
