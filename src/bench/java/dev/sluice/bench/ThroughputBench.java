package dev.sluice.bench;

import static dev.sluice.bench.SluiceBench.CLIENTS;
import static dev.sluice.bench.SluiceBench.POLL_MS;
import static dev.sluice.bench.SluiceBench.awaitStatus;
import static dev.sluice.bench.SluiceBench.body;
import static dev.sluice.bench.SluiceBench.check;
import static dev.sluice.bench.SluiceBench.createAll;
import static dev.sluice.bench.SluiceBench.millis;
import static dev.sluice.bench.SluiceBench.say;
import static dev.sluice.bench.SluiceBench.seconds;
import static dev.sluice.bench.SluiceBench.section;
import static dev.sluice.bench.SluiceBench.settings;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * (a) durable throughput ({@code bench/run --only=throughput}): the shipped jar as a child JVM,
 * zero-latency simulated generator; one batch of 20,000 items, and 100 batches of 200, from the
 * first create request until the API reports every batch completed. Beside it, a machine baseline
 * ({@link MachineBaseline}): the bare SQL work of the same batch on Sluice's schema without Sluice,
 * and (a) as a share of it.
 */
final class ThroughputBench {

  private static final Locale L = Locale.ROOT;

  static final double TARGET_BIG_ITEMS_PER_S = 30_000;

  private static final int BIG_ITEMS = 20_000;
  private static final int BIG_CONCURRENCY = 1024;
  private static final int SMALL_BATCHES = 100;
  private static final int SMALL_ITEMS = 200;
  private static final int WARM_UP_ITEMS = 20_000;
  private static final int MAX_WARM_UPS = 12;

  /**
   * Timed 1×20,000 batches per run, one after the other on the same warm process; the run's figure
   * is their median. One such batch lasts well under a second here, too short to stand alone on a
   * shared machine.
   */
  private static final int TIMED_BIG = 5;

  private static final int SMALL_TIMEOUT_SECONDS = 120;

  private static final String BASE = "/api/generation/batch";

  private final SluiceBench bench;

  ThroughputBench(SluiceBench bench) {
    this.bench = bench;
  }

  /** One timed run of the big batch. */
  record BigRun(double itemsPerSecond, double afterCreate, double createMs) {}

  /**
   * One run of (a): the big batch, then the 100 small ones, on a fresh database and Sluice process.
   */
  record ThroughputRun(BigRun big, double smallItemsPerSecond, double smallCreateMs) {}

  void run() throws Exception {
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
            + "), then "
            + TIMED_BIG
            + " timed 1×20,000 batches (the run's figure is their median), then the 100×200");
    List<ThroughputRun> results = new ArrayList<>();
    for (int run = 1; run <= bench.runs(); run++) {
      results.add(throughputRun("run " + run + " "));
    }
    double machine = machineBaseline();
    bigFigure(results, machine);
    smallFigure(results);
  }

  private void bigFigure(List<ThroughputRun> results, double machine) {
    List<Double> bigTotal = new ArrayList<>();
    List<Double> bigAfterCreate = new ArrayList<>();
    List<Double> bigCreateMs = new ArrayList<>();
    StringBuilder each = new StringBuilder();
    for (ThroughputRun r : results) {
      bigTotal.add(r.big().itemsPerSecond());
      bigAfterCreate.add(r.big().afterCreate());
      bigCreateMs.add(r.big().createMs());
      each.append(each.length() == 0 ? "" : ", ")
          .append(String.format(L, "%,.0f", r.big().itemsPerSecond()));
    }
    bench.figure(
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
  }

  private void smallFigure(List<ThroughputRun> results) {
    List<Double> smallTotal = new ArrayList<>();
    List<Double> smallCreateMs = new ArrayList<>();
    for (ThroughputRun r : results) {
      if (!Double.isNaN(r.smallItemsPerSecond())) {
        smallTotal.add(r.smallItemsPerSecond());
      }
      smallCreateMs.add(r.smallCreateMs());
    }
    bench.figure(
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
    for (int run = 1; run <= bench.runs(); run++) {
      try (TestDatabase db = bench.database()) {
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
    bench.figure(
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
    try (TestDatabase db = bench.database()) {
      SluiceProcess sluice =
          bench.spawn("throughput-" + label.trim().replace(' ', '-'), settings(db, "0"));
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
        List<BigRun> bigs = new ArrayList<>();
        for (int i = 1; i <= TIMED_BIG; i++) {
          bigs.add(bigBatch(http, sluice, db, label + i + "/" + TIMED_BIG + " "));
        }
        BigRun big = median(bigs);
        say(
            String.format(
                L,
                "  %s1×20,000, median of %d: %,.0f items/s",
                label,
                TIMED_BIG,
                big.itemsPerSecond()));
        return smallBatches(http, sluice, db, label, big);
      } finally {
        bench.closeProcess(sluice);
      }
    }
  }

  /** Each figure's median over the timed batches of one run. */
  private static BigRun median(List<BigRun> runs) {
    return new BigRun(
        Stats.median(runs.stream().map(BigRun::itemsPerSecond).toList()),
        Stats.median(runs.stream().map(BigRun::afterCreate).toList()),
        Stats.median(runs.stream().map(BigRun::createMs).toList()));
  }

  private ThroughputRun smallBatches(
      Http http, SluiceProcess sluice, TestDatabase db, String label, BigRun big)
      throws InterruptedException {
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
      sayStuck(db, id, b);
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
    bench.stuck(what + ": " + n + " of " + ids.size() + " batches never completed");
  }

  /** One batch that never completed: its status and counts, its items and its row. */
  private static void sayStuck(TestDatabase db, String id, JsonObject b) {
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
}
