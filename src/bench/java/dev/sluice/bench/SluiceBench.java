package dev.sluice.bench;

import ch.qos.logback.classic.Level;
import dev.sluice.app.Database;
import dev.sluice.support.Api;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 *   <li>(a) durable throughput: the shipped jar as a child JVM, zero-latency simulated generator;
 *       one batch of 20,000 items, and 100 batches of 200, from the first create request until the
 *       API reports every batch completed.
 *   <li>(b) pause ({@link PauseBench}): Sluice in this JVM with a recording generator, under load;
 *       100 pause requests, request-to-response latency and items dispatched after the
 *       acknowledgement.
 *   <li>(c) recovery: 1,000 live batches (a quarter paused), the jar killed with SIGKILL and
 *       spawned again; seconds from spawning the JVM to {@code /health/ready} answering 200.
 *   <li>(e) slots: 5,000 items at concurrency 64 with a generator that takes exactly 20 ms; the
 *       wall time from the 201 to {@code completed} as a ratio of the ideal.
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

  static final double TARGET_BIG_ITEMS_PER_S = 30_000;
  static final double TARGET_PAUSE_P99_MS = 20;
  static final double TARGET_RECOVERY_S = 5;
  static final double TARGET_SLOTS_RATIO = 1.05;

  private static final int POLL_MS = 20;
  private static final int CLIENTS = 8;

  private static final int BIG_ITEMS = 20_000;
  private static final int BIG_CONCURRENCY = 1024;
  private static final int SMALL_BATCHES = 100;
  private static final int SMALL_ITEMS = 200;
  private static final int WARM_UP_ITEMS = 20_000;
  private static final int MAX_WARM_UPS = 12;
  private static final int SMALL_TIMEOUT_SECONDS = 120;

  private static final int RECOVERY_BATCHES = 1_000;
  private static final int RECOVERY_ITEMS = 20;
  private static final int RECOVERY_CONCURRENCY = 4;
  private static final String NEVER_MS = "600000";
  private static final String PROGRESS_LATENCY_MS = "50";

  private static final String BASE = "/api/generation/batch";

  private static final int SLOT_ITEMS = 5_000;
  private static final int SLOT_CONCURRENCY = 64;
  private static final int SLOT_LATENCY_MS = 20;
  private static final int SLOT_WARM_UPS = 2;

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
        if (!Set.of(
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
                "million")
            .containsAll(only)) {
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
    Path logs = Path.of("target", "bench").toAbsolutePath();
    Files.createDirectories(logs);
    try (var old = Files.newDirectoryStream(logs, "*.log")) {
      for (Path f : old) {
        Files.delete(f);
      }
    }
    SluiceBench bench = new SluiceBench(jar, logs, runs);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::cleanUp, "bench-cleanup"));
    long start = System.nanoTime();
    bench.header();
    if (only.contains("throughput")) {
      bench.throughput();
    }
    if (only.contains("pause")) {
      new PauseBench(bench).run();
    }
    if (only.contains("recovery")) {
      bench.recovery();
    }
    if (only.contains("slots")) {
      bench.slots();
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
      bench.figures.addAll(new ManyBench(jar, logs, runs, SluiceBench::say).run());
    }
    // Optional too: a million-item create under -Xmx512m (docs/benchmarks.md).
    if (only.contains("create")) {
      new CreateBench(jar, logs, runs, SluiceBench::say, false).run();
    }
    // Optional: a million items from the create to completed (docs/benchmarks.md).
    if (only.contains("million")) {
      new CreateBench(jar, logs, runs, SluiceBench::say, true).run();
    }
    bench.summary(seconds(start, System.nanoTime()));
  }

  // ---------------------------------------------------------------- header

  private void header() throws IOException, SQLException {
    say(
        "Sluice benchmark, "
            + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    say(
        String.format(
            L,
            "machine:  %d cores (Runtime.availableProcessors), %.1f GiB RAM, %s, kernel %s %s",
            Runtime.getRuntime().availableProcessors(),
            memTotalKib() / 1024.0 / 1024.0,
            osName(),
            System.getProperty("os.version"),
            System.getProperty("os.arch")));
    say(
        "java:     "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " (the child JVMs use the same java, default flags)");
    try (TestDatabase db = database();
        Connection c = Database.connect(db.url());
        Statement st = c.createStatement()) {
      say("postgres: " + one(st, "SELECT version()"));
      say(
          "          at "
              + db.url().host()
              + ":"
              + db.url().port()
              + "; fsync="
              + one(st, "SHOW fsync")
              + ", synchronous_commit="
              + one(st, "SHOW synchronous_commit")
              + ", shared_buffers="
              + one(st, "SHOW shared_buffers")
              + ", max_connections="
              + one(st, "SHOW max_connections")
              + ", autovacuum="
              + one(st, "SHOW autovacuum"));
    }
    say(
        "load:     "
            + loadAverage()
            + " (1/5/15-min load average at start; the machine is shared)");
    say(
        "jar:      "
            + jar
            + " ("
            + Files.size(jar) / (1024 * 1024)
            + " MiB); child logs in "
            + logs);
    say("runs:     " + runs + " per figure of (a), (b) and (c); medians are reported");
  }

  // ------------------------------------------------------------- (e) slots

  /**
   * (e): does a slot idle on a commit? 5,000 items at concurrency 64 with a generator that takes
   * exactly 20 ms (latency spread 0); wall time from the 201 to {@code completed}, as a ratio of
   * the ideal 5,000 / 64 × 20 ms.
   */
  private void slots() throws Exception {
    double ideal = Math.ceil((double) SLOT_ITEMS / SLOT_CONCURRENCY) * SLOT_LATENCY_MS / 1000.0;
    section(
        String.format(
            L,
            "(e) slots: %,d items, concurrency %d, simulated latency exactly %d ms (spread 0);"
                + " seconds from the 201 to completed, against the ideal %.3f s (%d rounds of %d ms)",
            SLOT_ITEMS,
            SLOT_CONCURRENCY,
            SLOT_LATENCY_MS,
            ideal,
            (SLOT_ITEMS + SLOT_CONCURRENCY - 1) / SLOT_CONCURRENCY,
            SLOT_LATENCY_MS));
    List<Double> ratios = new ArrayList<>();
    try (TestDatabase db = database()) {
      Map<String, String> env = settings(db, Integer.toString(SLOT_LATENCY_MS));
      env.put("SLUICE_SIMULATED_LATENCY_SPREAD", "0");
      SluiceProcess sluice = spawn("slots", env);
      sluice.awaitReady(120_000, POLL_MS);
      Http http = sluice.http();
      for (int warm = 1; warm <= SLOT_WARM_UPS; warm++) {
        awaitStatus(
            http, http.create(body("warm-up-" + warm, SLOT_ITEMS, SLOT_CONCURRENCY)), "completed");
      }
      for (int run = 1; run <= runs; run++) {
        String id = http.create(body("slots-" + run, SLOT_ITEMS, SLOT_CONCURRENCY));
        long created = System.nanoTime();
        // Polled every 20 ms the end was seen up to 20 ms late (1.3 % of the ideal): wait for
        // most of the ideal, then poll every millisecond.
        Thread.sleep(Math.round(ideal * 1000 * 0.9));
        double wall = seconds(created, awaitStatus(http, id, "completed", 1));
        ratios.add(wall / ideal);
        say(String.format(L, "  run %d: %.3f s = %.3f× the ideal", run, wall, wall / ideal));
      }
      sluice.stop();
    }
    figures.add(
        new Figure(
            "(e) 5,000 items × 20 ms, concurrency 64, ÷ ideal",
            Stats.median(ratios),
            "×",
            TARGET_SLOTS_RATIO,
            false,
            String.format(
                L,
                "ideal %.3f s; after %d warm-up batches of the same shape; polled every 1 ms from"
                    + " 90 %% of the ideal",
                ideal,
                SLOT_WARM_UPS)));
  }

  // ------------------------------------------------------------- (a) throughput

  /** One timed run of the big batch. */
  record BigRun(double itemsPerSecond, double afterCreate, double createMs) {}

  /**
   * One run of (a): the big batch, then the 100 small ones, on a fresh database and Sluice process.
   */
  record ThroughputRun(BigRun big, double smallItemsPerSecond, double smallCreateMs) {}

  private void throughput() throws Exception {
    section(
        "(a) durable throughput: java -jar sluice.jar, simulated generator latency 0 ms, failure rate 0,"
            + " batch concurrency "
            + BIG_CONCURRENCY
            + " (1×20,000) and "
            + SMALL_ITEMS
            + " (100×200); default commit settings. Each run: a fresh database, a new Sluice process, warm-up"
            + " batches of "
            + String.format(L, "%,d", WARM_UP_ITEMS)
            + " items (not counted) until its JIT compilers use under a tenth of a core (at most "
            + MAX_WARM_UPS
            + "), then the 1×20,000 batch, then the 100×200");
    List<ThroughputRun> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      results.add(throughputRun("run " + run + " "));
    }
    double machine = machineBaseline();
    List<Double> bigTotal = new ArrayList<>();
    List<Double> bigAfterCreate = new ArrayList<>();
    List<Double> bigCreateMs = new ArrayList<>();
    List<Double> smallTotal = new ArrayList<>();
    List<Double> smallCreateMs = new ArrayList<>();
    StringBuilder each = new StringBuilder();
    for (ThroughputRun r : results) {
      bigTotal.add(r.big().itemsPerSecond());
      bigAfterCreate.add(r.big().afterCreate());
      bigCreateMs.add(r.big().createMs());
      if (!Double.isNaN(r.smallItemsPerSecond())) {
        smallTotal.add(r.smallItemsPerSecond());
      }
      smallCreateMs.add(r.smallCreateMs());
      each.append(each.length() == 0 ? "" : ", ")
          .append(String.format(L, "%,.0f", r.big().itemsPerSecond()));
    }
    figures.add(
        new Figure(
            "(a) 1×20,000 items/s, create request → completed",
            Stats.median(bigTotal),
            "items/s",
            TARGET_BIG_ITEMS_PER_S,
            true,
            String.format(
                L,
                "runs: %s; %.0f %% of the machine baseline (%,.0f items/s); create %,.0f ms of it;"
                    + " after the 201: %,.0f items/s",
                each,
                100 * Stats.median(bigTotal) / machine,
                machine,
                Stats.median(bigCreateMs),
                Stats.median(bigAfterCreate))));
    figures.add(
        new Figure(
            "(a) 100×200 items/s, first create → all completed",
            smallTotal.isEmpty() ? Double.NaN : Stats.median(smallTotal),
            "items/s",
            0,
            true,
            String.format(
                L,
                "creating the 100 took %,.0f ms of it; median of the %d of %d runs in which every batch completed",
                Stats.median(smallCreateMs),
                smallTotal.size(),
                results.size())));
  }

  /**
   * The bare SQL work of the 20,000-item batch ({@link MachineBaseline}), median of the runs; also
   * a figure of its own.
   */
  private double machineBaseline() throws SQLException {
    List<Double> rates = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      try (TestDatabase db = database()) {
        rates.add(MachineBaseline.itemsPerSecond(db, BIG_ITEMS));
      }
    }
    double median = Stats.median(rates);
    say(
        String.format(
            L,
            "  machine baseline: the same PostgreSQL, Sluice's schema, no Sluice — insert %,d items in"
                + " chunks of 5,000 (one transaction), then store each one's result in groups of 1,000"
                + " (a transaction each, with the batch row): %s items/s, median %,.0f",
            BIG_ITEMS,
            rates.stream().map(v -> String.format(L, "%,.0f", v)).toList(),
            median));
    figures.add(
        new Figure(
            "(a) machine baseline, bare SQL per item",
            median,
            "items/s",
            0,
            true,
            "no target: what (a) is measured against"));
    return median;
  }

  private ThroughputRun throughputRun(String label) throws Exception {
    try (TestDatabase db = database()) {
      SluiceProcess sluice =
          spawn("throughput-" + label.trim().replace(' ', '-'), settings(db, "0"));
      try {
        sluice.awaitReady(120_000, POLL_MS);
        Http http = sluice.http();
        // A production node is warm: a fresh JVM spends most of its first batches compiling.
        Warm.Result warm =
            Warm.until(
                List.of(sluice.pid()),
                1,
                MAX_WARM_UPS,
                w ->
                    awaitStatus(
                        http,
                        http.create(body("warm-up", WARM_UP_ITEMS, BIG_CONCURRENCY)),
                        "completed"));
        say("  " + label + "warm after " + warm.describe());
        BigRun big = bigBatch(http, sluice, db, label);
        List<String> bodies = new ArrayList<>();
        for (int i = 1; i <= SMALL_BATCHES; i++) {
          bodies.add(body("small-" + i, SMALL_ITEMS, SMALL_ITEMS));
        }
        Usage usage = Usage.start(sluice.pid(), "sluice", db);
        long s0 = System.nanoTime();
        List<String> ids = createAll(http, bodies);
        long s1 = System.nanoTime();
        long s2 = awaitNoneRunning(http, SMALL_TIMEOUT_SECONDS);
        if (s2 < 0) {
          reportStuck(label + "100×200", http, db, ids);
          return new ThroughputRun(big, Double.NaN, millis(s0, s1));
        }
        String used = usage.until(s2);
        for (String id : ids) {
          JsonObject b = http.batch(id);
          check(
              b.getString("status").equals("completed")
                  && b.getJsonObject("counts").getInteger("succeeded") == SMALL_ITEMS,
              "small batch " + id + " is " + b.encode());
        }
        double rate = SMALL_BATCHES * SMALL_ITEMS / seconds(s0, s2);
        say(
            String.format(
                L,
                "  %s100×200:  all 100 created (%d clients) in %,.0f ms; first create → all completed %.2f s = %,.0f items/s",
                label,
                CLIENTS,
                millis(s0, s1),
                seconds(s0, s2),
                rate));
        say("      " + used);
        return new ThroughputRun(big, rate, millis(s0, s1));
      } finally {
        closeProcess(sluice);
      }
    }
  }

  private BigRun bigBatch(Http http, SluiceProcess sluice, TestDatabase db, String label)
      throws InterruptedException, SQLException {
    String big = body("big", BIG_ITEMS, BIG_CONCURRENCY);
    WriteMeter writes = WriteMeter.afterCheckpoint(db);
    Usage usage = Usage.start(sluice.pid(), "sluice", db);
    long t0 = System.nanoTime();
    String id = http.create(big);
    long t1 = System.nanoTime();
    long t2 = awaitStatus(http, id, "completed");
    String used = usage.until(t2);
    String written = writes.until(BIG_ITEMS);
    int succeeded = http.batch(id).getJsonObject("counts").getInteger("succeeded");
    check(succeeded == BIG_ITEMS, "the big batch completed with " + succeeded + " items succeeded");
    BigRun run =
        new BigRun(BIG_ITEMS / seconds(t0, t2), BIG_ITEMS / seconds(t1, t2), millis(t0, t1));
    say(
        String.format(
            L,
            "  %s1×20,000: create (insert of 20,000 rows) %,.0f ms; create request → completed %.2f s = %,.0f items/s;"
                + " after the 201 → completed %,.0f items/s",
            label,
            run.createMs(),
            seconds(t0, t2),
            run.itemsPerSecond(),
            run.afterCreate()));
    say("      " + used);
    say("      " + written);
    return run;
  }

  private List<String> createAll(Http http, List<String> bodies) throws InterruptedException {
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

  /**
   * Polls until the batch has the status; returns when it was seen. Any other terminal status stops
   * the run.
   */
  private static long awaitStatus(Http http, String id, String status) throws InterruptedException {
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
   * Polls the list of running batches until it is empty; returns when that was seen, or -1 after
   * the timeout.
   */
  private static long awaitNoneRunning(Http http, int timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      Http.Reply r = http.get(BASE + "?status=running&limit=1");
      if (r.status() != 200) {
        throw new IllegalStateException("list answered " + r.status() + ": " + r.body());
      }
      if (r.json().getJsonArray("data").isEmpty()) {
        return System.nanoTime();
      }
      Thread.sleep(POLL_MS);
    }
    return -1;
  }

  /**
   * Says which batches never completed and what their items are doing, as the API and the database
   * show it; the run's figure is left out and the summary says so.
   */
  private void reportStuck(String what, Http http, TestDatabase db, List<String> ids) {
    int n = 0;
    for (String id : ids) {
      JsonObject b = http.batch(id);
      if (b.getString("status").equals("completed")) {
        continue;
      }
      n++;
      if (n > 3) {
        continue;
      }
      say(
          "      STUCK: batch "
              + id
              + " "
              + b.getString("status")
              + " "
              + b.getJsonObject("counts").encode()
              + ", version "
              + b.getLong("version"));
      say(
          "             its items in the database: "
              + rows(
                  db,
                  "SELECT status || ' ' || count(*) || ' (seq ' || min(seq) || '-' || max(seq) || ', attempts '"
                      + " || max(attempts) || ')' FROM items WHERE batch_id = '"
                      + id
                      + "' GROUP BY status ORDER BY status"));
      say(
          "             its row: "
              + rows(
                  db,
                  "SELECT 'status=' || status || ' pending=' || pending || ' in_progress=' || in_progress || ' succeeded='"
                      + " || succeeded || ' epoch=' || epoch || ' owner=' || coalesce(owner_node, '-') FROM batches WHERE"
                      + " id = '"
                      + id
                      + "'"));
    }
    say(
        "      its database sessions: "
            + rows(
                db,
                "SELECT state || coalesce(' ' || wait_event, '') || ' for ' || coalesce(round(extract(epoch FROM"
                    + " now() - state_change))::text, '?') || ' s: ' || left(query, 60) FROM pg_stat_activity WHERE"
                    + " datname = current_database() AND pid <> pg_backend_pid()"));
    say(
        String.format(
            L,
            "      STUCK: %d of %d batches still not completed %d s after they were created; this run's figure is left out",
            n,
            ids.size(),
            SMALL_TIMEOUT_SECONDS));
    stuck.add(what + ": " + n + " of " + ids.size() + " batches never completed");
  }

  private static String rows(TestDatabase db, String sql) {
    List<String> out = new ArrayList<>();
    try (Connection c = Database.connect(db.url());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException e) {
      out.add("(" + e.getMessage() + ")");
    }
    return String.join("; ", out);
  }

  // --------------------------------------------------------------- (c) recovery

  private void recovery() throws Exception {
    section(
        "(c) recovery: java -jar sluice.jar killed with SIGKILL and spawned again on the same database and node id;"
            + " 1,000 batches of 20 items (concurrency 4), 250 of them paused");
    try (TestDatabase db = database()) {
      Map<String, String> slow = settings(db, NEVER_MS);

      SluiceProcess first = spawn("recovery-0-migrate", slow);
      SluiceProcess.Ready r = first.awaitReady(120_000, POLL_MS);
      double migrate = seconds(first.spawnedNanos(), r.readyNanos());
      kill(first);
      SluiceProcess empty = spawn("recovery-0-empty", slow);
      r = empty.awaitReady(120_000, POLL_MS);
      double baseline = seconds(empty.spawnedNanos(), r.readyNanos());
      kill(empty);
      say(
          String.format(
              L,
              "  baseline: spawn → ready %.2f s on a new database (runs the migration), %.2f s on the migrated, empty one",
              migrate,
              baseline));

      SluiceProcess populate = spawn("recovery-0-populate", slow);
      populate.awaitReady(120_000, POLL_MS);
      long c0 = System.nanoTime();
      List<String> bodies = new ArrayList<>();
      for (int i = 0; i < RECOVERY_BATCHES; i++) {
        bodies.add(body("recover-" + i, RECOVERY_ITEMS, RECOVERY_CONCURRENCY));
      }
      List<String> ids = createAll(populate.http(), bodies);
      int paused = 0;
      for (int i = 3; i < ids.size(); i += 4) {
        Http.Reply p = populate.http().control(ids.get(i), "pause");
        check(p.status() == 200, "pause answered " + p.status() + ": " + p.body());
        paused++;
      }
      int running = RECOVERY_BATCHES - paused;
      int inFlight = awaitInProgress(db, running * RECOVERY_CONCURRENCY);
      double populateS = seconds(c0, System.nanoTime());
      kill(populate);
      say(
          String.format(
              L,
              "  created %,d batches and paused %d in %.1f s (generator latency %s ms, so none finishes); killed with"
                  + " %,d items in progress in the database",
              RECOVERY_BATCHES,
              paused,
              populateS,
              NEVER_MS,
              inFlight));

      List<Double> ready = new ArrayList<>();
      List<Double> redispatched = new ArrayList<>();
      List<Double> logged = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        long epoch = commonEpoch(db);
        SluiceProcess p = spawn("recovery-" + run, slow);
        SluiceProcess.Ready up = p.awaitReady(120_000, POLL_MS);
        Live live = awaitLive(db, epoch, running, paused, false);
        int recovered = p.awaitRecoveredCount(30_000);
        kill(p);
        check(
            recovered == RECOVERY_BATCHES, "the log says " + recovered + " batches were recovered");
        ready.add(seconds(p.spawnedNanos(), up.readyNanos()));
        logged.add(p.recoveredAfterSeconds());
        redispatched.add(seconds(p.spawnedNanos(), live.allNanos()));
        say(
            String.format(
                L,
                "  run %d: spawn → recovery done (Sluice's log line \"%d batches recovered\") %.2f s; → \"Sluice is"
                    + " running\" seen %.2f s; → /health/ready 200 %.2f s; → all %d running batches dispatching again"
                    + " (in_progress > 0 under the new epoch) %.2f s; %d paused stayed paused with nothing in flight",
                run,
                recovered,
                p.recoveredAfterSeconds(),
                up.lineNanos() < 0 ? Double.NaN : seconds(p.spawnedNanos(), up.lineNanos()),
                seconds(p.spawnedNanos(), up.readyNanos()),
                running,
                seconds(p.spawnedNanos(), live.allNanos()),
                paused));
      }

      long epoch = commonEpoch(db);
      Map<String, String> quick = settings(db, PROGRESS_LATENCY_MS);
      SluiceProcess p = spawn("recovery-progress", quick);
      SluiceProcess.Ready up = p.awaitReady(120_000, POLL_MS);
      Live live = awaitLive(db, epoch, running, paused, true);
      closeProcess(p);
      say(
          String.format(
              L,
              "  progress run (latency %s ms): spawn → ready %.2f s; → first running batch with a durable result %.2f s;"
                  + " → all %d running batches with one %.2f s; the %d paused ones still have none",
              PROGRESS_LATENCY_MS,
              seconds(p.spawnedNanos(), up.readyNanos()),
              seconds(p.spawnedNanos(), live.firstNanos()),
              running,
              seconds(p.spawnedNanos(), live.allNanos()),
              paused));
      figures.add(
          new Figure(
              "(c) recovery of 1,000 live batches, spawn → ready",
              Stats.median(ready),
              "s",
              TARGET_RECOVERY_S,
              false,
              String.format(
                  L,
                  "recovery done per Sluice's log %.2f s; all running ones dispatching again %.2f s; empty-database"
                      + " start %.2f s; progress run: ready %.2f s, first result %.2f s",
                  Stats.median(logged),
                  Stats.median(redispatched),
                  baseline,
                  seconds(p.spawnedNanos(), up.readyNanos()),
                  seconds(p.spawnedNanos(), live.firstNanos()))));
    }
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

  private static int awaitInProgress(TestDatabase db, int expected)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    try (Connection c = Database.connect(db.url());
        PreparedStatement st =
            c.prepareStatement(
                "SELECT coalesce(sum(in_progress), 0) FROM batches WHERE status = 'running'")) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          int n = rs.getInt(1);
          if (n >= expected) {
            return n;
          }
        }
        Thread.sleep(POLL_MS);
      }
    }
    throw new IllegalStateException(
        "fewer than " + expected + " items in progress after 2 minutes");
  }

  private static long commonEpoch(TestDatabase db) {
    long min = db.queryLong("SELECT min(epoch) FROM batches WHERE status IN ('running', 'paused')");
    long max = db.queryLong("SELECT max(epoch) FROM batches WHERE status IN ('running', 'paused')");
    check(min == max, "live batches have epochs from " + min + " to " + max);
    return max;
  }

  /**
   * When the first and when all running batches were live again; paused ones checked to stay put.
   */
  record Live(long firstNanos, long allNanos) {}

  /**
   * Polls the batch rows (the counts the API serves) until every running batch was claimed under a
   * new epoch and has items in flight again ({@code progress}: has a durable result), and checks
   * the paused ones were claimed and dispatch nothing.
   */
  private static Live awaitLive(
      TestDatabase db, long epoch, int running, int paused, boolean progress)
      throws SQLException, InterruptedException {
    String live =
        progress
            ? "status IN ('running', 'completed') AND epoch > ? AND succeeded > 0"
            : "status = 'running' AND epoch > ? AND in_progress > 0";
    String ended = progress ? "('cancelled', 'failed')" : "('completed', 'cancelled', 'failed')";
    String sql =
        "SELECT count(*) FILTER (WHERE "
            + live
            + "), count(*) FILTER (WHERE status = 'paused' AND epoch > ? AND in_progress = 0 AND succeeded = 0),"
            + " count(*) FILTER (WHERE status = 'paused' AND succeeded > 0), count(*) FILTER (WHERE status IN "
            + ended
            + ") FROM batches";
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    long first = -1;
    int seen = 0;
    try (Connection c = Database.connect(db.url());
        PreparedStatement st = c.prepareStatement(sql)) {
      st.setLong(1, epoch);
      st.setLong(2, epoch);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          long now = System.nanoTime();
          seen = rs.getInt(1);
          check(rs.getInt(3) == 0, rs.getInt(3) + " paused batches have results");
          check(rs.getInt(4) == 0, rs.getInt(4) + " batches ended unexpectedly");
          if (seen > 0 && first < 0) {
            first = now;
          }
          if (seen == running && rs.getInt(2) == paused) {
            return new Live(first, now);
          }
        }
        Thread.sleep(POLL_MS);
      }
    }
    throw new IllegalStateException(
        "only " + seen + " of " + running + " running batches were live after 2 minutes");
  }

  // ------------------------------------------------------------------ summary

  /** One reported figure; target 0 with higherIsBetter means "no target, for the record". */
  record Figure(
      String name,
      double value,
      String unit,
      double target,
      boolean higherIsBetter,
      String detail) {

    boolean hasTarget() {
      return target > 0 || !higherIsBetter;
    }

    boolean pass() {
      return higherIsBetter ? value >= target : value <= target;
    }
  }

  private void summary(double totalSeconds) {
    section("summary (medians; ratio = measured / target)");
    for (Figure f : figures) {
      String value =
          String.format(
              L,
              f.unit().equals("items/s")
                  ? "%,.0f %s"
                  : f.unit().equals("items")
                      ? "%.0f %s"
                      : f.unit().equals("×") ? "%.3f%s" : "%.2f %s",
              f.value(),
              f.unit());
      String verdict;
      if (!f.hasTarget()) {
        verdict = "(no target)";
      } else {
        String target =
            String.format(
                L, "%s %s %s", f.higherIsBetter() ? "≥" : "≤", trim(f.target()), f.unit());
        String ratio =
            f.target() == 0 ? "" : String.format(L, ", ratio %.2f", f.value() / f.target());
        verdict = "target " + target + ratio + ": " + (f.pass() ? "PASS" : "MISS");
      }
      say(String.format(L, "  %-52s %16s   %s", f.name(), value, verdict));
      say("  " + " ".repeat(52) + "   " + f.detail());
    }
    for (String s : stuck) {
      say("  PRODUCT FAULT: " + s + " (see above)");
    }
    say(
        String.format(
            L, "  load average now: %s; total bench time %.0f s", loadAverage(), totalSeconds));
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.format(L, "%,.0f", d) : String.format(L, "%s", d);
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
    return m;
  }

  private SluiceProcess spawn(String name, Map<String, String> settings) {
    SluiceProcess p = SluiceProcess.spawn(jar, logs.resolve(name + ".log"), settings);
    open.put(p, p::kill);
    return p;
  }

  private void kill(SluiceProcess p) throws InterruptedException {
    p.kill();
    open.remove(p);
  }

  private void closeProcess(SluiceProcess p) throws InterruptedException {
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

  private static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long memTotalKib() throws IOException {
    Path info = Path.of("/proc/meminfo");
    if (!Files.isReadable(info)) {
      return Runtime.getRuntime().maxMemory() / 1024;
    }
    for (String line : Files.readAllLines(info)) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  private static String osName() throws IOException {
    Path release = Path.of("/etc/os-release");
    if (Files.isReadable(release)) {
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    }
    return System.getProperty("os.name");
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
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
