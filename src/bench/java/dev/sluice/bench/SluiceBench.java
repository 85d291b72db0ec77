package dev.sluice.bench;

import ch.qos.logback.classic.Level;
import dev.sluice.bench.faults.Machine;
import dev.sluice.support.Api;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Sluice's benchmark (not a test: {@code mvn verify} never runs it). Run it with {@code bench/run};
 * docs/benchmarks.md explains every figure. It creates its own databases on the local PostgreSQL
 * (127.0.0.1:5432, or {@code SLUICE_TEST_ADMIN_URL}) and drops them at the end.
 *
 * <ul>
 *   <li>(a) durable throughput ({@link ThroughputBench}): the shipped jar as a child JVM,
 *       zero-latency simulated generator; one batch of 20,000 items, and 100 batches of 200, from
 *       the first create request until the API reports every batch completed.
 *   <li>(b) pause ({@link PauseBench}): Sluice in this JVM with a recording generator, under load;
 *       100 pause requests, request-to-response latency and items dispatched after the
 *       acknowledgement.
 *   <li>(c) recovery ({@link RecoveryBench}): 1,000 live batches (a quarter paused), the jar killed
 *       with SIGKILL and spawned again; seconds from spawning the JVM to {@code /health/ready}
 *       answering 200.
 *   <li>(e) slots ({@link SlotsBench}): 5,000 items at concurrency 64 with a generator that takes
 *       exactly 20 ms; the wall time from the 201 to {@code completed} as a ratio of the ideal.
 * </ul>
 *
 * <p>Beside (a) it also measures a machine baseline ({@link MachineBaseline}): the bare SQL work of
 * the same batch on Sluice's schema without Sluice, and prints (a) as a share of it.
 *
 * <p>Flags: {@code --runs=N} (default 3) repeats (a), (b) and (c); {@code
 * --only=throughput,pause,recovery,slots}; the optional parts {@code cluster} ({@link
 * ClusterBench}; {@code cluster-takeover}, {@code cluster-throughput} or {@code cluster-small} for
 * one third of it), {@code many} ({@link ManyBench}), {@code create} ({@link CreateBench}, a
 * million-item create under {@code -Xmx512m}) and {@code million} (the same batch from the create
 * to completed) run only when named.
 */
public final class SluiceBench {

  private static final Locale L = Locale.ROOT;
  private static final String USAGE =
      "usage: bench/run [--runs=N]"
          + " [--only=throughput,pause,recovery,slots,cluster,cluster-takeover,cluster-throughput,"
          + "cluster-small,many,create,million]";

  private static final Set<String> PARTS =
      Set.of(
          "throughput",
          "pause",
          "recovery",
          "slots",
          "cluster",
          "cluster-takeover",
          "cluster-throughput",
          "cluster-small",
          "many",
          "create",
          "million");

  static final int POLL_MS = 20;
  static final int CLIENTS = 8;

  private final Path jar;
  private final Path logs;
  private final int runs;
  private final List<Figure> figures = new ArrayList<>();
  private final List<String> stuck = new ArrayList<>();
  private final Map<Object, AutoCloseable> open = new ConcurrentHashMap<>();

  private SluiceBench(Path jar, Path logs, int runs) {
    this.jar = jar;
    this.logs = logs;
    this.runs = runs;
  }

  public static void main(String[] args) throws Exception {
    int runs = 3;
    Set<String> only = Set.of("throughput", "pause", "recovery", "slots");
    for (String arg : args) {
      if (arg.startsWith("--runs=")) {
        runs = Integer.parseInt(arg.substring("--runs=".length()));
      } else if (arg.startsWith("--only=")) {
        only = Set.of(arg.substring("--only=".length()).split(",", -1));
        if (!PARTS.containsAll(only)) {
          System.err.println(USAGE);
          System.exit(2);
        }
      } else {
        System.err.println(USAGE);
        System.exit(2);
      }
    }
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.sluice")).setLevel(Level.WARN);
    Path jar = Path.of(System.getProperty("sluice.jar", "target/sluice.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      System.err.println(
          "bench: "
              + jar
              + " is missing; build it with mvn -q -B package -DskipTests (bench/run does).");
      System.exit(2);
    }
    SluiceBench bench = new SluiceBench(jar, freshLogs(), runs);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::cleanUp, "bench-cleanup"));
    long start = System.nanoTime();
    MachineHeader.print(bench, bench.jar, bench.logs, bench.runs);
    bench.run(only);
    bench.summary(seconds(start, System.nanoTime()));
  }

  /** target/bench, emptied of the last run's child logs. */
  private static Path freshLogs() throws IOException {
    Path logs = Path.of("target", "bench").toAbsolutePath();
    Files.createDirectories(logs);
    try (var old = Files.newDirectoryStream(logs, "*.log")) {
      for (Path f : old) {
        Files.delete(f);
      }
    }
    return logs;
  }

  /** Runs the parts named in {@code only}, in their fixed order. */
  private void run(Set<String> only) throws Exception {
    if (only.contains("throughput")) {
      new ThroughputBench(this).run();
    }
    if (only.contains("pause")) {
      new PauseBench(this).run();
    }
    if (only.contains("recovery")) {
      new RecoveryBench(this).run();
    }
    if (only.contains("slots")) {
      new SlotsBench(this).run();
    }
    // Optional, never part of the default run: three nodes on one machine (docs/benchmarks.md).
    boolean takeover = only.contains("cluster") || only.contains("cluster-takeover");
    boolean spread = only.contains("cluster") || only.contains("cluster-throughput");
    boolean small = only.contains("cluster") || only.contains("cluster-small");
    if (takeover || spread || small) {
      new ClusterBench(jar, logs, runs, SluiceBench::say).run(takeover, spread, small);
    }
    // Optional too: 10,000 live batches on one node in 512 MiB (ManyBench).
    if (only.contains("many")) {
      figures.addAll(new ManyBench(jar, logs, runs, SluiceBench::say).run());
    }
    // Optional too: a million-item create under -Xmx512m (docs/benchmarks.md).
    if (only.contains("create")) {
      new CreateBench(jar, logs, runs, SluiceBench::say, false).run();
    }
    // Optional: a million items from the create to completed (docs/benchmarks.md).
    if (only.contains("million")) {
      new CreateBench(jar, logs, runs, SluiceBench::say, true).run();
    }
  }

  // ------------------------------------------------------------- shared waits

  /**
   * Polls until the batch has the status; returns when it was seen. Any other terminal status stops
   * the run.
   */
  static long awaitStatus(Http http, String id, String status) throws InterruptedException {
    return awaitStatus(http, id, status, POLL_MS);
  }

  /** {@link #awaitStatus(Http, String, String)}, polling every {@code pollMs}. */
  static long awaitStatus(Http http, String id, String status, int pollMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonObject b = http.batch(id);
      String now = b.getString("status");
      if (now.equals(status)) {
        return System.nanoTime();
      }
      if (Set.of("completed", "cancelled", "failed").contains(now)) {
        throw new IllegalStateException(
            "batch " + id + " ended " + now + " instead of " + status + ": " + b.encode());
      }
      Thread.sleep(pollMs);
    }
    throw new IllegalStateException(
        "batch " + id + " did not become " + status + " within 10 minutes");
  }

  /**
   * Waits until no batch has anything in flight or left to run, so stopping Sluice interrupts no
   * write.
   */
  static void awaitQuiet(TestDatabase db) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (db.queryLong(
            "SELECT count(*) FROM batches WHERE in_progress > 0 OR status IN ('running', 'paused')")
        > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "batches still in flight 2 minutes after they were cancelled");
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** Creates the batches from {@link #CLIENTS} threads; returns their ids in order. */
  static List<String> createAll(Http http, List<String> bodies) throws InterruptedException {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Callable<String>> calls = new ArrayList<>();
      for (String b : bodies) {
        calls.add(() -> http.create(b));
      }
      List<String> ids = new ArrayList<>();
      for (Future<String> f : clients.invokeAll(calls)) {
        ids.add(getUnchecked(f));
      }
      return ids;
    } finally {
      clients.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ summary

  private void summary(double totalSeconds) {
    section("summary (medians; ratio = measured / target)");
    for (Figure f : figures) {
      say(String.format(L, "  %-52s %16s   %s", f.name(), f.value(L), f.verdict(L)));
      say("  " + " ".repeat(52) + "   " + f.detail());
    }
    for (String s : stuck) {
      say("  PRODUCT FAULT: " + s + " (see above)");
    }
    say(
        String.format(
            L,
            "  load average now: %s; total bench time %.0f s",
            Machine.loadAverage(),
            totalSeconds));
  }

  // ------------------------------------------------------------------ helpers

  /** How many times each of (a), (b) and (c) runs. */
  int runs() {
    return runs;
  }

  /** Adds a figure to the summary. */
  void figure(Figure f) {
    figures.add(f);
  }

  /** Keeps {@code closer} to run by the clean-up hook until {@link #release} is called for it. */
  void holdOpen(Object key, AutoCloseable closer) {
    open.put(key, closer);
  }

  void release(Object key) {
    open.remove(key);
  }

  /** Notes batches that never completed; the summary lists them as a product fault. */
  void stuck(String what) {
    stuck.add(what);
  }

  /** A fresh database; dropped by the caller, or by the clean-up hook if the run is interrupted. */
  TestDatabase database() {
    TestDatabase db = TestDatabase.create(SluiceBench.class);
    open.put(db, db);
    return db;
  }

  static Map<String, String> settings(TestDatabase db, String latencyMs) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("DATABASE_URL", db.url().toString());
    m.put("SLUICE_NODE_ID", "bench-node");
    m.put("SLUICE_SIMULATED_LATENCY_MS", latencyMs);
    m.put("SLUICE_SIMULATED_FAILURE_RATE", "0");
    return OperatorSettings.over(m);
  }

  /**
   * Spawns the jar, its log in {@code name}.log; the clean-up hook kills it unless {@link #kill} or
   * {@link #closeProcess} ended it first.
   */
  SluiceProcess spawn(String name, Map<String, String> settings) {
    SluiceProcess p = SluiceProcess.spawn(jar, logs.resolve(name + ".log"), settings);
    open.put(p, p::kill);
    return p;
  }

  void kill(SluiceProcess p) throws InterruptedException {
    p.kill();
    open.remove(p);
  }

  void closeProcess(SluiceProcess p) throws InterruptedException {
    p.stop();
    open.remove(p);
  }

  /**
   * Kills what is still running, then drops the databases (again, harmlessly, if already dropped).
   */
  private void cleanUp() {
    List<Map.Entry<Object, AutoCloseable>> last = new ArrayList<>();
    for (Map.Entry<Object, AutoCloseable> e : open.entrySet()) {
      if (e.getKey() instanceof TestDatabase) {
        last.add(e);
      } else {
        closeQuietly(e.getValue());
      }
    }
    last.forEach(e -> closeQuietly(e.getValue()));
    open.clear();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("bench: clean-up: " + e);
    }
  }

  static String body(String name, int items, int concurrency) {
    return Api.batchBody(name, items, concurrency).encode();
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark check failed: " + what);
    }
  }

  private static <T> T getUnchecked(Future<T> f) throws InterruptedException {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  static void section(String title) {
    say("");
    say(title);
  }

  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }

  static double millis(long from, long to) {
    return (to - from) / 1e6;
  }
}
