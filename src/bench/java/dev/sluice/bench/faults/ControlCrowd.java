package dev.sluice.bench.faults;

import dev.sluice.bench.Cpu;
import dev.sluice.bench.SluiceProcess;
import dev.sluice.bench.Stats;
import dev.sluice.support.Api;
import dev.sluice.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Part (d): a crowd of control requests at once (pause and resume alternating) over a few running
 * batches. The client is a Vert.x WebClient (two event loops of its own) whose HTTP/1.1 pool holds
 * as many connections as requests, so each request in flight has a TCP connection of its own; those
 * connections are opened beforehand by as many concurrent {@code GET /health/live}, so the measured
 * requests do not wait for TCP handshakes.
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
                + " simulated 20 ms); Vert.x WebClient on two event loops of its own, HTTP/1.1 pool of %,d"
                + " connections (one per request in flight), opened beforehand by as many concurrent GET /health/live",
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
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    WebClient client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setKeepAlive(true)
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(p.port())
                .setConnectTimeout(10_000),
            new PoolOptions().setHttp1MaxSize(crowd).setMaxWaitQueueSize(-1));
    try {
      List<String> live = new ArrayList<>();
      for (int i = 0; i < crowd; i++) {
        live.add("/health/live");
      }
      Map<String, Integer> warmStatus = fire(client, HttpMethod.GET, live, new ArrayList<>());
      out.say("  connections opened by the warm-up: %s", warmStatus);
      double idle = idleCpuPerSecond(p.pid());
      List<Double> baseline = new ArrayList<>();
      ServerCpu liveCpu = new ServerCpu(p.pid());
      Map<String, Integer> baseStatus = fire(client, HttpMethod.GET, live, baseline);
      double liveMicros = liveCpu.perRequestMicros(crowd);
      out.say(
          "  client baseline, the same crowd of GET /health/live on those connections: %s, p50 %.1f ms,"
              + " p99 %.1f ms, max %.1f ms",
          baseStatus,
          Stats.percentile(baseline, 50),
          Stats.percentile(baseline, 99),
          Stats.max(baseline));
      List<String> controls = new ArrayList<>();
      for (int i = 0; i < crowd; i++) {
        String command = (i / BATCHES) % 2 == 0 ? "pause" : "resume";
        controls.add("/api/generation/batch/" + ids.get(i % BATCHES) + "/" + command);
      }
      List<Double> latencies = new ArrayList<>();
      ServerCpu controlCpu = new ServerCpu(p.pid());
      long t0 = System.nanoTime();
      Map<String, Integer> statuses = fire(client, HttpMethod.POST, controls, latencies);
      double wall = (System.nanoTime() - t0) / 1e6;
      double controlMicros = controlCpu.perRequestMicros(crowd);
      out.say(
          "  Sluice's CPU time over each crowd, per request: GET /health/live %.0f µs, control %.0f µs"
              + " (its four batches alone use %.2f CPU-seconds a second, included in both)",
          liveMicros, controlMicros, idle);
      report(statuses, latencies, wall, p);
    } finally {
      client.close();
      vertx.close().await();
    }
    p.stop();
  }

  /** CPU seconds per second the process spends on its batches alone, over two seconds. */
  private static double idleCpuPerSecond(long pid) throws InterruptedException {
    double cpu = Cpu.process(pid);
    long t = System.nanoTime();
    Thread.sleep(2_000); // a measuring interval, not a synchronisation
    return (Cpu.process(pid) - cpu) / ((System.nanoTime() - t) / 1e9);
  }

  /** The CPU time of a process from construction on. */
  private static final class ServerCpu {
    private final long pid;
    private final double cpu;

    ServerCpu(long pid) {
      this.pid = pid;
      this.cpu = Cpu.process(pid);
    }

    double perRequestMicros(int requests) {
      return (Cpu.process(pid) - cpu) * 1e6 / requests;
    }
  }

  /** Sends every request at once; counts the answers by status and records each latency in ms. */
  private static Map<String, Integer> fire(
      WebClient client, HttpMethod method, List<String> uris, List<Double> latencies) {
    List<CompletableFuture<String>> all = new ArrayList<>();
    for (String uri : uris) {
      long start = System.nanoTime();
      all.add(
          client
              .request(method, uri)
              .putHeader("X-Sluice-Client", "control-crowd")
              .timeout(60_000)
              .send()
              .transform(
                  ar -> {
                    double ms = (System.nanoTime() - start) / 1e6;
                    synchronized (latencies) {
                      latencies.add(ms);
                    }
                    return Future.succeededFuture(
                        ar.succeeded()
                            ? Integer.toString(ar.result().statusCode())
                            : "error: " + rootCause(ar.cause()));
                  })
              .toCompletionStage()
              .toCompletableFuture());
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
    boolean pass =
        p99 <= TARGET_P99_MS && fives == 0 && errors == 0 && p.alive() && latencies.size() >= 2_000;
    out.verdict(
        "crowd",
        pass,
        String.format(
            Locale.ROOT,
            "p99 %.1f ms over %,d requests (target ≤ 200 ms over ≥ 2,000), p50 %.1f ms, max %.1f ms; %d 5xx, %d without an answer (targets 0)",
            p99,
            latencies.size(),
            p50,
            max,
            fives,
            errors));
  }
}
