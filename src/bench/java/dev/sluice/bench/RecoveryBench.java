package dev.sluice.bench;

import static dev.sluice.bench.SluiceBench.POLL_MS;
import static dev.sluice.bench.SluiceBench.body;
import static dev.sluice.bench.SluiceBench.check;
import static dev.sluice.bench.SluiceBench.createAll;
import static dev.sluice.bench.SluiceBench.say;
import static dev.sluice.bench.SluiceBench.seconds;
import static dev.sluice.bench.SluiceBench.section;
import static dev.sluice.bench.SluiceBench.settings;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * (c) recovery ({@code bench/run --only=recovery}): 1,000 live batches (a quarter paused), the jar
 * killed with SIGKILL and spawned again; seconds from spawning the JVM to {@code /health/ready}
 * answering 200.
 */
final class RecoveryBench {

  private static final Locale L = Locale.ROOT;

  static final double TARGET_RECOVERY_S = 5;

  private static final int RECOVERY_BATCHES = 1_000;
  private static final int RECOVERY_ITEMS = 20;
  private static final int RECOVERY_CONCURRENCY = 4;
  private static final String NEVER_MS = "600000";
  private static final String PROGRESS_LATENCY_MS = "50";

  private final SluiceBench bench;

  /** Per run: spawn → ready, s. */
  private final List<Double> ready = new ArrayList<>();

  /** Per run: spawn → all running batches dispatching again, s. */
  private final List<Double> redispatched = new ArrayList<>();

  /** Per run: spawn → recovery done per Sluice's log, s. */
  private final List<Double> logged = new ArrayList<>();

  RecoveryBench(SluiceBench bench) {
    this.bench = bench;
  }

  void run() throws Exception {
    section(
        "(c) recovery: java -jar sluice.jar killed with SIGKILL and spawned again on the same database and node id;"
            + " 1,000 batches of 20 items (concurrency 4), 250 of them paused");
    try (TestDatabase db = bench.database()) {
      Map<String, String> slow = settings(db, NEVER_MS);
      double baseline = baseline(slow);
      int paused = populate(db, slow);
      int running = RECOVERY_BATCHES - paused;
      for (int run = 1; run <= bench.runs(); run++) {
        restart(run, db, slow, running, paused);
      }
      progressRun(db, running, paused, baseline);
    }
  }

  /**
   * Spawn → ready on a new database (runs the migration) and on the migrated, empty one; returns
   * the latter.
   */
  private double baseline(Map<String, String> slow) throws InterruptedException {
    SluiceProcess first = bench.spawn("recovery-0-migrate", slow);
    SluiceProcess.Ready r = first.awaitReady(120_000, POLL_MS);
    double migrate = seconds(first.spawnedNanos(), r.readyNanos());
    bench.kill(first);
    SluiceProcess empty = bench.spawn("recovery-0-empty", slow);
    r = empty.awaitReady(120_000, POLL_MS);
    double baseline = seconds(empty.spawnedNanos(), r.readyNanos());
    bench.kill(empty);
    say(
        String.format(
            L,
            "  baseline: spawn → ready %.2f s on a new database (runs the migration), %.2f s on the migrated, empty one",
            migrate,
            baseline));
    return baseline;
  }

  /**
   * Creates the batches, pauses a quarter of them and kills Sluice once every running one has its
   * items in flight; returns how many were paused.
   */
  private int populate(TestDatabase db, Map<String, String> slow)
      throws SQLException, InterruptedException {
    SluiceProcess populate = bench.spawn("recovery-0-populate", slow);
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
    bench.kill(populate);
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
    return paused;
  }

  /** One timed run: Sluice spawned again, measured until every running batch dispatches, killed. */
  private void restart(int run, TestDatabase db, Map<String, String> slow, int running, int paused)
      throws SQLException, InterruptedException {
    long epoch = commonEpoch(db);
    SluiceProcess p = bench.spawn("recovery-" + run, slow);
    SluiceProcess.Ready up = p.awaitReady(120_000, POLL_MS);
    Live live = awaitLive(db, epoch, running, paused, false);
    int recovered = p.awaitRecoveredCount(30_000);
    bench.kill(p);
    check(recovered == RECOVERY_BATCHES, "the log says " + recovered + " batches were recovered");
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

  /**
   * A last spawn with a quick generator, until every running batch has a durable result; then the
   * figure.
   */
  private void progressRun(TestDatabase db, int running, int paused, double baseline)
      throws SQLException, InterruptedException {
    long epoch = commonEpoch(db);
    Map<String, String> quick = settings(db, PROGRESS_LATENCY_MS);
    SluiceProcess p = bench.spawn("recovery-progress", quick);
    SluiceProcess.Ready up = p.awaitReady(120_000, POLL_MS);
    Live live = awaitLive(db, epoch, running, paused, true);
    bench.closeProcess(p);
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
    bench.figure(
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
    String sql = liveSql(progress);
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

  /**
   * {@link #awaitLive}'s query: the running batches live under a new epoch, the paused ones claimed
   * with nothing in flight, the paused ones with results, and those that ended.
   */
  private static String liveSql(boolean progress) {
    String live =
        progress
            ? "status IN ('running', 'completed') AND epoch > ? AND succeeded > 0"
            : "status = 'running' AND epoch > ? AND in_progress > 0";
    String ended = progress ? "('cancelled', 'failed')" : "('completed', 'cancelled', 'failed')";
    return "SELECT count(*) FILTER (WHERE "
        + live
        + "), count(*) FILTER (WHERE status = 'paused' AND epoch > ? AND in_progress = 0 AND succeeded = 0),"
        + " count(*) FILTER (WHERE status = 'paused' AND succeeded > 0), count(*) FILTER (WHERE status IN "
        + ended
        + ") FROM batches";
  }
}
