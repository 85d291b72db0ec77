package dev.sluice.bench.faults;

import dev.sluice.bench.Cpu;
import dev.sluice.bench.SluiceProcess;
import dev.sluice.bench.Stats;
import dev.sluice.bench.Warm;
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
  private static final int MIN_WARM_UPS = 3;
  private static final int MAX_WARM_UPS = 40;
  private static final long WARM_ROUND_REST_MS = 1_000;
  private static final int ITEMS = 50_000;

  /** The answers the warm-up's crowds got, by status. */
  private final Map<String, Integer> warmAnswers = new TreeMap<>();

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
            "(d) crowd: %,d concurrent pause/resume requests over %d running batches (50,000 items each, concurrency 8,"
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
      ids.add(p.http().create(Api.batchBody("crowd-" + i, ITEMS, 8).encode()));
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
      List<String> controls = new ArrayList<>();
      for (int i = 0; i < crowd; i++) {
        String command = (i / BATCHES) % 2 == 0 ? "pause" : "resume";
        controls.add("/api/generation/batch/" + ids.get(i % BATCHES) + "/" + command);
      }
      warmUp(p, client, live, controls);
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
      warmAnswers.forEach((status, n) -> statuses.merge(status, n, Integer::sum));
      report(statuses, latencies, wall, p);
    } finally {
      client.close();
      vertx.close().await();
    }
    p.stop();
  }

  /**
   * Untimed crowds, the same as the measured ones, each followed by a second's rest, until Sluice's
   * JIT compilers use under a tenth of a core over one such round (at least {@link #MIN_WARM_UPS},
   * at most {@link #MAX_WARM_UPS}): a node in production compiled its control path long ago, and on
   * a freshly spawned one the first crowds mostly measure the compilers, which take CPU from both
   * the requests and their client. The first crowd of controls is printed, as what a cold node
   * answers; the warm-up's answers count towards the verdict's 5xx and requests without an answer.
   */
  private void warmUp(SluiceProcess p, WebClient client, List<String> live, List<String> controls)
      throws Exception {
    List<Double> cold = new ArrayList<>();
    Warm.Result warm =
        Warm.until(
            List.of(p.pid()),
            MIN_WARM_UPS,
            MAX_WARM_UPS,
            round -> {
              fire(client, HttpMethod.GET, live, new ArrayList<>());
              List<Double> latencies = round == 0 ? cold : new ArrayList<>();
              fire(client, HttpMethod.POST, controls, latencies)
                  .forEach((status, n) -> warmAnswers.merge(status, n, Integer::sum));
              // A measuring interval, not a synchronisation: the round's JIT share then also
              // covers what the running batches still compile between crowds.
              Thread.sleep(WARM_ROUND_REST_MS);
            });
    out.say(
        "  warm after %s; the first crowd of controls, on the cold node: p50 %.1f ms, p99 %.1f ms",
        warm.describe(), Stats.percentile(cold, 50), Stats.percentile(cold, 99));
    out.say("  answers over the warm-up's crowds of controls: %s", warmAnswers);
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
