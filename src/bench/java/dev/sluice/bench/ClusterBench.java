package dev.sluice.bench;

import dev.sluice.app.Database;
import dev.sluice.support.Api;
import dev.sluice.support.JarProcess;
import dev.sluice.support.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The optional cluster part of the benchmark ({@code bench/run --only=cluster}): how long survivors
 * take to have a killed (SIGKILL) or frozen (SIGSTOP) node's running batches dispatching again, and
 * items/s on one node against three clustered nodes on this machine: of the throughput workload
 * once per node ({@link #THROUGHPUT}) and of many small batches ({@link #SMALL}).
 */
final class ClusterBench {

  private static final Locale L = Locale.ROOT;
  private static final int TAKEOVER_BATCHES = 100;
  private static final long LEASE_MS = 5_000;
  private static final int MIN_WARM_ROUNDS = 3;
  private static final int MAX_WARM_ROUNDS = 150;
  private static final int QUIET_ROUNDS = 3;

  /** The names of the timed round's batches start with this; the untimed rounds' do not. */
  private static final String TIMED = "timed-";

  /**
   * Timed rounds per side, one after the other on the same warm nodes; the side's figure is their
   * median. A round of the throughput workload lasts about two seconds here, so a single one is at
   * the mercy of whatever else the shared machine does in those seconds.
   */
  private static final int TIMED_ROUNDS = 5;

  private final Path jar;
  private final Path logs;
  private final int runs;
  private final Consumer<String> say;
  private final List<SluiceProcess> spawned = new ArrayList<>();

  ClusterBench(Path jar, Path logs, int runs, Consumer<String> say) {
    this.jar = jar;
    this.logs = logs;
    this.runs = runs;
    this.say = say;
  }

  /** Runs the takeover part, the 1-vs-3-nodes comparisons, or any of them. */
  void run(boolean takeoverPart, boolean throughputPart, boolean smallPart) throws Exception {
    say.accept("");
    say.accept(
        "(d) cluster: three java -jar sluice.jar on loopback, clustered over Hazelcast, one database;"
            + " the machine has "
            + Runtime.getRuntime().availableProcessors()
            + " cores shared by every node, the database and this benchmark");
    try {
      if (takeoverPart) {
        takeover();
      }
      if (throughputPart) {
        throughput(THROUGHPUT, true);
      }
      if (smallPart) {
        throughput(SMALL, false);
      }
    } finally {
      for (SluiceProcess p : spawned) {
        p.kill();
      }
    }
  }

  private void takeover() throws Exception {
    List<Double> killed = new ArrayList<>();
    List<Double> frozen = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      try (TestDatabase db = TestDatabase.create(ClusterBench.class)) {
        List<Integer> ports =
            List.of(JarProcess.freePort(), JarProcess.freePort(), JarProcess.freePort());
        String name = "bench-" + UUID.randomUUID();
        SluiceProcess a = node(db, name, ports, 0, "200", "takeover-" + run);
        a.awaitReady(120_000, 50);
        for (int i = 0; i < TAKEOVER_BATCHES; i++) {
          a.http().create(Api.batchBody("t" + i, 1_000, 2).encode());
        }
        SluiceProcess b = node(db, name, ports, 1, "200", "takeover-" + run);
        SluiceProcess c = node(db, name, ports, 2, "200", "takeover-" + run);
        b.awaitReady(120_000, 50);
        c.awaitReady(120_000, 50);
        awaitMembers(List.of(a, b, c), 3);
        long epoch = db.queryLong("SELECT max(epoch) FROM batches");
        long t0 = System.nanoTime();
        a.kill();
        awaitDispatching(db, "owner_node <> 'n0' AND epoch > " + epoch, TAKEOVER_BATCHES);
        double ms = (System.nanoTime() - t0) / 1e6;
        killed.add(ms);
        long onB = db.queryLong("SELECT count(*) FROM batches WHERE owner_node = 'n1'");
        long epochB = db.queryLong("SELECT max(epoch) FROM batches");
        long t1 = System.nanoTime();
        signal(b, "STOP");
        awaitDispatching(db, "owner_node = 'n2' AND epoch > " + epochB, onB);
        double frozenMs = (System.nanoTime() - t1) / 1e6;
        frozen.add(frozenMs);
        signal(b, "CONT");
        say.accept(
            String.format(
                L,
                "  run %d: SIGKILL of the node owning %d running batches → all dispatching on the"
                    + " survivors %.0f ms; SIGSTOP of a node owning %d → all dispatching on the last"
                    + " one %.0f ms (lease %d ms; epochs above %d)",
                run,
                TAKEOVER_BATCHES,
                ms,
                onB,
                frozenMs,
                LEASE_MS,
                epochB));
        for (SluiceProcess p : List.of(b, c)) {
          p.kill();
        }
      }
    }
    say.accept(
        String.format(
            L,
            "  takeover, median of %d: after SIGKILL %.0f ms (target ≤ 5,000 ms after the member"
                + " leaves); after SIGSTOP %.0f ms (target ≤ lease %d ms + 2,000 ms)",
            runs,
            Stats.median(killed),
            Stats.median(frozen),
            LEASE_MS));
  }

  /**
   * One side-by-side of 1 and 3 nodes: {@code batches} batches of {@code items} items (latency 0),
   * created at once by {@code clients} clients, round-robin through the nodes as a load balancer
   * passes on many users' requests; timed from the first create until all are completed.
   */
  record Workload(String name, int batches, int items, int concurrency, int clients) {}

  /**
   * The throughput workload of part (a) — 20,000 items at concurrency 1024 — once for each of three
   * nodes: what being in a cluster costs a node doing real work. The figure.
   */
  static final Workload THROUGHPUT = new Workload("throughput", 3, 20_000, 1024, 3);

  /** Many small batches: what the cluster costs per batch (placement, hand-over, registration). */
  static final Workload SMALL = new Workload("small", 60, 500, 50, 8);

  private void throughput(Workload w, boolean target) throws Exception {
    List<Double> one = new ArrayList<>();
    List<Double> three = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      one.add(compare(w, 1, "one-" + run));
      three.add(compare(w, 3, "three-" + run));
    }
    double a = Stats.median(one);
    double b = Stats.median(three);
    say.accept(
        String.format(
            L,
            "  %d×%,d items (concurrency %d, latency 0), created at once round-robin through the"
                + " nodes by %d clients, once the nodes are warm (%d to %d untimed rounds, %d in a"
                + " row with the compilers quiet), median of %d: 1 node %,.0f items/s; 3 nodes"
                + " %,.0f items/s = %.0f %%%s",
            w.batches(),
            w.items(),
            w.concurrency(),
            w.clients(),
            MIN_WARM_ROUNDS,
            MAX_WARM_ROUNDS,
            QUIET_ROUNDS,
            runs,
            a,
            b,
            100 * b / a,
            target ? " (target ≥ 80 %)" : " (no target: the cost per batch)"));
  }

  private double compare(Workload w, int n, String label) throws Exception {
    try (TestDatabase db = TestDatabase.create(ClusterBench.class)) {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ports.add(JarProcess.freePort());
      }
      String name = "bench-" + UUID.randomUUID();
      List<SluiceProcess> nodes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        nodes.add(node(db, name, ports, i, "0", w.name() + "-" + label));
      }
      for (SluiceProcess p : nodes) {
        p.awaitReady(120_000, 50);
      }
      awaitMembers(nodes, n);
      // A production node is warm: untimed rounds first, until the nodes' JIT compilers have
      // settled, so that the timed round measures the cluster rather than JVMs compiling on two
      // cores. Each of three nodes sees a third of the work, so it takes more rounds to get there.
      List<Long> pids = nodes.stream().map(SluiceProcess::pid).toList();
      Warm.Result warm =
          Warm.until(
              pids,
              MIN_WARM_ROUNDS,
              MAX_WARM_ROUNDS,
              QUIET_ROUNDS,
              r -> round(db, nodes, w, "warm" + r + "-", (long) r * w.batches()));
      WriteMeter writes = WriteMeter.afterCheckpoint(db);
      double cpu0 = Warm.cpu(pids);
      double jit0 = Warm.jit(pids);
      Map<String, Double> threads0 = Cpu.byThreadGroup(pids);
      Usage usage = Usage.start(pids.get(0), "node n0", db);
      long t0 = System.nanoTime();
      List<Double> rates = new ArrayList<>();
      for (int r = 0; r < TIMED_ROUNDS; r++) {
        long done = (long) (warm.rounds() + r) * w.batches();
        rates.add(round(db, nodes, w, TIMED + r + "-", done));
      }
      double rate = Stats.median(rates);
      String used = usage.until(System.nanoTime());
      String written = writes.until((long) TIMED_ROUNDS * w.batches() * w.items());
      double cpu = Warm.cpu(pids) - cpu0;
      double jit = Warm.jit(pids) - jit0;
      Map<String, Double> threads = Cpu.byThreadGroup(pids);
      threads0.forEach((k, v) -> threads.merge(k, -v, Double::sum));
      say.accept(
          String.format(
              L,
              "    %s, %d node%s: %,.0f items/s (median of %d timed rounds: %s) after %s; the"
                  + " timed rounds used %.1f CPU s, %.0f %% of it compiling",
              w.name(),
              n,
              n == 1 ? "" : "s",
              rate,
              TIMED_ROUNDS,
              rates.stream()
                  .map(x -> String.format(L, "%,.0f", x))
                  .collect(java.util.stream.Collectors.joining(" · ")),
              warm.describe(),
              cpu,
              cpu > 0 ? 100 * jit / cpu : 0));
      say.accept("      " + used + " (over " + Math.round((System.nanoTime() - t0) / 1e6) + " ms)");
      say.accept("      the nodes' CPU by thread, s: " + Cpu.top(threads, 8));
      say.accept("      " + written + "; the timed rounds' batches ran on " + ranOn(db));
      for (SluiceProcess p : nodes) {
        p.stop();
      }
      return rate;
    }
  }

  /** Which node ran how many of the timed rounds' batches. */
  private static String ranOn(TestDatabase db) throws SQLException {
    Map<String, Long> nodes = new TreeMap<>();
    try (Connection c = Database.connect(db.url());
        PreparedStatement q =
            c.prepareStatement(
                "SELECT coalesce(owner_node, 'no node'), count(*) FROM batches"
                    + " WHERE starts_with(name, ?) GROUP BY 1")) {
      q.setString(1, TIMED);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          nodes.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return nodes.toString();
  }

  /**
   * Creates the workload's batches round-robin through the nodes, from its clients at once, and
   * returns items/s from the first create until all are completed ({@code done} completed before).
   */
  private static double round(
      TestDatabase db, List<SluiceProcess> nodes, Workload w, String prefix, long done)
      throws Exception {
    long t0 = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(w.clients());
    try {
      List<Callable<String>> calls = new ArrayList<>();
      for (int i = 0; i < w.batches(); i++) {
        SluiceProcess node = nodes.get(i % nodes.size());
        String body = Api.batchBody(prefix + i, w.items(), w.concurrency()).encode();
        calls.add(() -> node.http().create(body));
      }
      for (Future<String> f : clients.invokeAll(calls)) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
    // One connection for the whole wait: a new one every poll would have PostgreSQL start a backend
    // process fifty times a second, on the cores the nodes are measured on.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    try (Connection c = Database.connect(db.url());
        PreparedStatement completed =
            c.prepareStatement("SELECT count(*) FROM batches WHERE status = 'completed'")) {
      while (count(completed) < done + w.batches()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the batches did not complete in 5 minutes");
        }
        Thread.sleep(20);
      }
    }
    return (double) w.batches() * w.items() / ((System.nanoTime() - t0) / 1e9);
  }

  private static long count(PreparedStatement query) throws SQLException {
    try (ResultSet rs = query.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private SluiceProcess node(
      TestDatabase db, String cluster, List<Integer> ports, int i, String latency, String label) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DATABASE_URL", db.url().toString());
    env.put("SLUICE_NODE_ID", "n" + i);
    env.put("SLUICE_SIMULATED_LATENCY_MS", latency);
    env.put("SLUICE_SIMULATED_FAILURE_RATE", "0");
    env.put("SLUICE_NODE_LEASE_TTL_MS", Long.toString(LEASE_MS));
    env.put("SLUICE_LOG_FORMAT", "console");
    if (ports.size() > 1) {
      List<String> members = new ArrayList<>();
      ports.forEach(p -> members.add("127.0.0.1:" + p));
      env.put("SLUICE_CLUSTER", "true");
      env.put("SLUICE_CLUSTER_NAME", cluster);
      env.put("SLUICE_CLUSTER_PORT", Integer.toString(ports.get(i)));
      env.put("SLUICE_CLUSTER_MEMBERS", String.join(",", members));
    }
    SluiceProcess p =
        SluiceProcess.spawn(jar, logs.resolve("cluster-" + label + "-n" + i + ".log"), env);
    spawned.add(p);
    return p;
  }

  private static void awaitMembers(List<SluiceProcess> nodes, int n) throws InterruptedException {
    if (n == 1) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    for (SluiceProcess p : nodes) {
      while (!p.http().get("/health/ready").body().contains(n + " members")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the nodes did not see " + n + " members in a minute");
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * Polls until {@code count} batches matching {@code where} have each been seen dispatching (items
   * in flight) at least once, or completed.
   */
  private static void awaitDispatching(TestDatabase db, String where, long count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    String sql =
        "SELECT id FROM batches WHERE (in_progress > 0 OR status = 'completed') AND " + where;
    Set<String> seen = new HashSet<>();
    try (Connection c = Database.connect(db.url());
        PreparedStatement st = c.prepareStatement(sql)) {
      while (seen.size() < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + seen.size() + " of " + count + " batches");
        }
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            seen.add(rs.getString(1));
          }
        }
        Thread.sleep(20);
      }
    }
  }

  private static void signal(SluiceProcess p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " failed");
    }
  }
}
