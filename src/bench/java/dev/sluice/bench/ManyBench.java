package dev.sluice.bench;

import dev.sluice.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * (f) many live batches ({@code bench/run --only=many}): one node started with {@code -Xmx512m}
 * (and the JVM flags under test) runs 10,000 batches whose items never finish (a simulated
 * generator of ten minutes), so every batch stays running with items in flight. Measured: the
 * latency of pause and resume requests on random batches through HTTP (a few clients at once), the
 * heap's live set and the process's resident memory, and, after SIGKILL and a restart on the same
 * database and node id, the time to {@code /health/ready} and the time until every batch dispatches
 * again (items in flight under the new epoch). The batches are created once; each run measures the
 * node that the previous run restarted.
 */
final class ManyBench {

  private static final Locale L = Locale.ROOT;
  static final int BATCHES = 10_000;
  static final int ITEMS = 4;
  static final int CONCURRENCY = 2;
  private static final int CONTROLS = 2_000;
  private static final int WARM_UP_CONTROLS = 400;
  private static final int MAX_WARM_UPS = 30;
  private static final String NEVER_MS = "600000";
  private static final int POLL_MS = 20;

  private static final double TARGET_CONTROL_P99_MS = 20;
  private static final double TARGET_READY_S = 3;
  private static final double TARGET_DISPATCH_S = 10;

  /**
   * The flags Sluice ships with (deploy/Dockerfile; the heap there is a share of the container's
   * memory, here -Xmx512m; the image's class-data archive is added), unless {@code BENCH_JVM_FLAGS}
   * names others.
   */
  static final List<String> SHIPPED_FLAGS = List.of("-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");

  private final Path jar;
  private final Path logs;
  private final int runs;
  private final Consumer<String> say;
  private final List<String> flags;
  private final List<SluiceProcess> spawned = new ArrayList<>();

  ManyBench(Path jar, Path logs, int runs, Consumer<String> say) {
    this.jar = jar;
    this.logs = logs;
    this.runs = runs;
    this.say = say;
    List<String> f = new ArrayList<>(List.of("-Xmx512m"));
    String chosen = System.getenv("BENCH_JVM_FLAGS");
    if (chosen == null || chosen.isBlank()) {
      f.addAll(SHIPPED_FLAGS);
      f.add("-XX:SharedArchiveFile=" + archive(jar, logs));
    } else {
      f.addAll(List.of(chosen.trim().split("\\s+", -1)));
    }
    this.flags = List.copyOf(f);
  }

  private static Path archive(Path jar, Path logs) {
    try {
      return ClassArchive.forJar(jar, logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One run's measurements. */
  private record Run(
      double p50,
      double p99,
      double max,
      double floorP50,
      double floorP99,
      double heapMiB,
      double rssMiB,
      double peakRssMiB,
      double readyS,
      double dispatchS) {}

  /** Runs the part and returns its figures (medians of the runs). */
  List<Figure> run() throws Exception {
    say.accept("");
    say.accept(
        String.format(
            L,
            "(f) many: %,d live batches of %d items (concurrency %d, generator latency %s ms, so"
                + " items stay in flight) on one java %s -jar sluice.jar",
            BATCHES,
            ITEMS,
            CONCURRENCY,
            NEVER_MS,
            String.join(" ", flags)));
    List<Run> results = new ArrayList<>();
    try (TestDatabase db = TestDatabase.create(ManyBench.class)) {
      SluiceProcess node = populate(db);
      for (int r = 1; r <= runs; r++) {
        Run run = measure(db, node, r);
        results.add(run);
        node = spawned.get(spawned.size() - 1);
      }
    } finally {
      for (SluiceProcess p : spawned) {
        p.kill();
      }
    }
    return figures(results);
  }

  private SluiceProcess populate(TestDatabase db) throws Exception {
    SluiceProcess node = spawn(db, "many-0");
    node.awaitReady(120_000, POLL_MS);
    long t0 = System.nanoTime();
    List<String> ids = ManyClients.createAll(node.http());
    double created = SluiceBench.seconds(t0, System.nanoTime());
    long dispatching = ManyRows.awaitDispatching(db, 0, 300);
    say.accept(
        String.format(
            L,
            "  created %,d batches with %d clients in %.1f s (%,.0f a second); all dispatching %.1f s"
                + " after the first create",
            ids.size(),
            ManyClients.CREATE_CLIENTS,
            created,
            ids.size() / created,
            SluiceBench.seconds(t0, dispatching)));
    return node;
  }

  private Run measure(TestDatabase db, SluiceProcess node, int run) throws Exception {
    List<String> ids = ManyRows.ids(db);
    // A node restarted by the previous run compiles its control path afresh: untimed rounds of
    // controls until its compilers are settled, as a node in production is.
    Warm.Result warm =
        Warm.until(
            List.of(node.pid()),
            1,
            MAX_WARM_UPS,
            w ->
                ManyClients.controls(
                    node.http(), ids, WARM_UP_CONTROLS, new Random(run * 7919L + w)));
    say.accept("  run " + run + ": warm after " + warm.describe());
    List<Double> latencies = ManyClients.controls(node.http(), ids, CONTROLS, new Random(run));
    List<Double> floor = CommitFloor.measure(db, CONTROLS, ManyClients.CONTROL_CLIENTS);
    ManyRows.awaitDispatching(db, 0, 60);
    ProcessMemory memory = ProcessMemory.of(node, logs.resolve("many-histogram-" + run + ".txt"));
    long epoch = db.queryLong("SELECT max(epoch) FROM batches");
    node.kill();
    SluiceProcess again = spawn(db, "many-" + run);
    SluiceProcess.Ready ready = again.awaitReady(120_000, POLL_MS);
    long all = ManyRows.awaitDispatching(db, epoch, 120);
    ManyRows.checkNothingLost(db);
    Run r =
        new Run(
            Stats.percentile(latencies, 50),
            Stats.percentile(latencies, 99),
            Stats.max(latencies),
            Stats.percentile(floor, 50),
            Stats.percentile(floor, 99),
            memory.heapMiB(),
            memory.rssMiB(),
            memory.peakRssMiB(),
            SluiceBench.seconds(again.spawnedNanos(), ready.readyNanos()),
            SluiceBench.seconds(again.spawnedNanos(), all));
    say.accept(
        String.format(
            L,
            "  run %d: %,d pause/resume requests (%d clients): p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                + " (the machine's bare one-row commit then: p50 %.1f ms, p99 %.1f ms); heap after a full GC %.0f MiB, RSS %.0f MiB (peak %.0f MiB); SIGKILL, spawn →"
                + " /health/ready 200 %.2f s, → all %,d dispatching again under a new epoch %.2f s",
            run,
            latencies.size(),
            ManyClients.CONTROL_CLIENTS,
            r.p50(),
            r.p99(),
            r.max(),
            r.floorP50(),
            r.floorP99(),
            r.heapMiB(),
            r.rssMiB(),
            r.peakRssMiB(),
            r.readyS(),
            BATCHES,
            r.dispatchS()));
    return r;
  }

  private List<Figure> figures(List<Run> runs) {
    String flagText = String.join(" ", flags);
    List<Figure> out = new ArrayList<>();
    out.add(
        new Figure(
            "(f) 10,000 live batches: control p99",
            median(runs, Run::p99),
            "ms",
            TARGET_CONTROL_P99_MS,
            false,
            String.format(
                L,
                "runs %s ms; p50 %.1f ms; %,d pause/resume requests per run; the machine's bare"
                    + " commit p99 %.1f ms (p50 %.1f ms); %s",
                list(runs, Run::p99),
                median(runs, Run::p50),
                CONTROLS,
                median(runs, Run::floorP99),
                median(runs, Run::floorP50),
                flagText)));
    out.add(
        new Figure(
            "(f) after SIGKILL: spawn → /health/ready",
            median(runs, Run::readyS),
            "s",
            TARGET_READY_S,
            false,
            "runs " + list(runs, Run::readyS) + " s"));
    out.add(
        new Figure(
            "(f) after SIGKILL: spawn → every batch dispatching",
            median(runs, Run::dispatchS),
            "s",
            TARGET_DISPATCH_S,
            false,
            "runs " + list(runs, Run::dispatchS) + " s"));
    out.add(
        new Figure(
            "(f) heap after a full GC (-Xmx512m)",
            median(runs, Run::heapMiB),
            "MiB",
            0,
            true,
            String.format(
                L,
                "RSS %.0f MiB, peak RSS %.0f MiB (medians)",
                median(runs, Run::rssMiB),
                median(runs, Run::peakRssMiB))));
    return out;
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    return Stats.median(runs.stream().map(r -> f.applyAsDouble(r)).toList());
  }

  private static String list(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    return String.join(
        " · ", runs.stream().map(r -> String.format(L, "%.2f", f.applyAsDouble(r))).toList());
  }

  private SluiceProcess spawn(TestDatabase db, String name) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DATABASE_URL", db.url().toString());
    env.put("SLUICE_NODE_ID", "many-node");
    env.put("SLUICE_SIMULATED_LATENCY_MS", NEVER_MS);
    env.put("SLUICE_SIMULATED_FAILURE_RATE", "0");
    env.put("SLUICE_LOG_FORMAT", "console");
    SluiceProcess p = SluiceProcess.spawn(jar, logs.resolve(name + ".log"), env, flags);
    spawned.add(p);
    return p;
  }
}
