package dev.sluice.bench.faults;

import dev.sluice.bench.Http;
import dev.sluice.bench.SluiceProcess;
import dev.sluice.support.Api;
import dev.sluice.support.TestDatabase;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Part (a): SIGKILL and restart, N times, at random moments over batches that are running, paused,
 * cancelling and retrying, some right after a control's 200. After every kill the database is
 * checked with no process writing; after every restart the API; after the last restart every
 * running batch must finish within the bound and nothing may be left pending in a finished batch.
 */
final class KillCycles {

  private static final int CONCURRENCY = 50;
  private static final int LATENCY_MS = 20;
  private static final double FAILURE_RATE = 0.05;
  private static final int MAX_LIVE = 4;

  private final Context ctx;
  private final Report out;
  private final Random rnd;
  private final Ledger ledger = new Ledger();
  private final Findings findings = new Findings();
  private final Map<String, Integer> scenarios = new TreeMap<>();
  private final Map<String, Integer> moments = new TreeMap<>();
  private ItemAudit audit;
  private Map<String, String> settings = Map.of();
  private int failedStarts;

  KillCycles(Context ctx) {
    this.ctx = ctx;
    this.out = ctx.report();
    this.rnd = new Random(ctx.options().seed());
  }

  void run() throws Exception {
    int kills = ctx.options().kills();
    int items = ctx.options().killItems();
    out.section(
        String.format(
            java.util.Locale.ROOT,
            "(a) kill: %d SIGKILL/restart cycles; java -jar sluice.jar on a fresh database of the shared"
                + " PostgreSQL; simulated generator %d ms, failure rate %.2f; batches of %,d items at"
                + " concurrency %d (at most %d running), maxAttempts 3 (1 for retry scenarios)",
            kills,
            LATENCY_MS,
            FAILURE_RATE,
            items,
            CONCURRENCY,
            MAX_LIVE));
    TestDatabase db = ctx.database();
    settings = Context.settings(Context.url(db), LATENCY_MS, FAILURE_RATE);
    audit = new ItemAudit(db, findings);
    ApiAudit api = new ApiAudit(findings);
    long start = System.nanoTime();
    int done = 0;
    for (int cycle = 1; cycle <= kills; cycle++) {
      SluiceProcess p = start("cycle-" + cycle);
      if (p == null) {
        break;
      }
      if (cycle > 1) {
        api.statuses(p.http(), ledger, "after restart " + (cycle - 1));
      }
      scenarios.merge(act(p, cycle), 1, Integer::sum);
      audit.awaitSessionsGone(60_000);
      audit.check(ledger, "after kill " + cycle);
      done = cycle;
      if (cycle % 10 == 0 || cycle == kills) {
        out.say(
            "  %d kills, %.0f s; findings so far: %s",
            cycle, (System.nanoTime() - start) / 1e9, tally());
      }
    }
    SluiceProcess last = start("final");
    if (last != null) {
      api.statuses(last.http(), ledger, "after the last restart");
      settle(last, api);
      last.stop();
    }
    report(done, (System.nanoTime() - start) / 1e9);
  }

  private SluiceProcess start(String label) throws InterruptedException {
    SluiceProcess p = ctx.spawn("kill-" + label, settings);
    try {
      p.awaitReady(120_000, 20);
      return p;
    } catch (IllegalStateException e) {
      failedStarts++;
      out.say("  FINDING: Sluice did not come back (%s): %s", label, e.getMessage());
      p.kill();
      return null;
    }
  }

  /** One scenario, ending with the kill; returns its name. */
  private String act(SluiceProcess p, int cycle) throws Exception {
    double x = rnd.nextDouble();
    List<UUID> running = audit.ids("status = 'running'");
    if (x < 0.25) {
      if (running.size() < MAX_LIVE) {
        create(p, cycle, 3);
      }
      killAfter(p, rnd.nextInt(1_500));
      return "running";
    }
    if (x < 0.45) {
      UUID id = runningOrNew(p, cycle, running, 100 + rnd.nextInt(700));
      return controlThenKill(p, id, "pause", cycle, 0.5, 500) + "pausing";
    }
    if (x < 0.65) {
      UUID id =
          running.size() < MAX_LIVE
              ? create(p, cycle, 3)
              : running.get(rnd.nextInt(running.size()));
      Thread.sleep(400 + rnd.nextInt(200));
      return controlThenKill(p, id, "cancel", cycle, 0.7, 300) + "cancelling";
    }
    if (x < 0.80) {
      List<UUID> done = audit.ids("status IN ('completed', 'failed') AND failed > 0");
      UUID id =
          done.isEmpty() ? completedWithFailures(p, cycle) : done.get(rnd.nextInt(done.size()));
      return controlThenKill(p, id, "retry-failed", cycle, 0.5, 800) + "retrying";
    }
    if (x < 0.92) {
      List<UUID> paused = audit.ids("status = 'paused'");
      UUID id;
      if (paused.isEmpty()) {
        id = runningOrNew(p, cycle, running, 200);
        control(p.http(), id, "pause", cycle);
      } else {
        id = paused.get(rnd.nextInt(paused.size()));
      }
      return controlThenKill(p, id, "resume", cycle, 0.5, 800) + "resuming";
    }
    UUID id = runningOrNew(p, cycle, running, 100 + rnd.nextInt(500));
    String command = rnd.nextBoolean() ? "pause" : "cancel";
    CompletableFuture<Http.Reply> reply =
        CompletableFuture.supplyAsync(() -> p.http().control(id.toString(), command));
    Thread.sleep(rnd.nextInt(25));
    p.kill();
    moments.merge("while a control was in flight", 1, Integer::sum);
    Ledger.Outcome o;
    String answer;
    try {
      Http.Reply r = reply.get(30, TimeUnit.SECONDS);
      o = r.status() == 200 ? Ledger.Outcome.ACKNOWLEDGED : Ledger.Outcome.REJECTED;
      answer = Integer.toString(r.status());
    } catch (ExecutionException | TimeoutException e) {
      o = Ledger.Outcome.UNKNOWN;
      answer = "no answer";
    }
    ledger.sent(new Ledger.Control(id, command, o, cycle, answer));
    return "in-flight " + command;
  }

  private UUID runningOrNew(SluiceProcess p, int cycle, List<UUID> running, long wait)
      throws InterruptedException {
    if (running.isEmpty() || (running.size() < MAX_LIVE && rnd.nextBoolean())) {
      UUID id = create(p, cycle, 3);
      Thread.sleep(wait);
      return id;
    }
    return running.get(rnd.nextInt(running.size()));
  }

  /**
   * Sends the control; on a 200 kills at once with probability {@code atOnce}, else after a while.
   */
  private String controlThenKill(
      SluiceProcess p, UUID id, String command, int cycle, double atOnce, int maxDelay)
      throws InterruptedException {
    Ledger.Outcome o = control(p.http(), id, command, cycle);
    if (o == Ledger.Outcome.ACKNOWLEDGED && rnd.nextDouble() < atOnce) {
      p.kill();
      moments.merge("right after a control's 200", 1, Integer::sum);
      return "";
    }
    killAfter(p, rnd.nextInt(maxDelay));
    return o == Ledger.Outcome.ACKNOWLEDGED ? "" : "(409) ";
  }

  private void killAfter(SluiceProcess p, long millis) throws InterruptedException {
    Thread.sleep(millis);
    p.kill();
    moments.merge("at a random moment", 1, Integer::sum);
  }

  private Ledger.Outcome control(Http http, UUID id, String command, int cycle) {
    Ledger.Outcome o;
    String answer;
    try {
      Http.Reply r = http.control(id.toString(), command);
      o = r.status() == 200 ? Ledger.Outcome.ACKNOWLEDGED : Ledger.Outcome.REJECTED;
      answer = r.status() + (r.status() == 200 ? " " + r.json().getString("status") : "");
    } catch (UncheckedIOException e) {
      o = Ledger.Outcome.UNKNOWN;
      answer = "no answer";
    }
    ledger.sent(new Ledger.Control(id, command, o, cycle, answer));
    return o;
  }

  private UUID create(SluiceProcess p, int cycle, int maxAttempts) {
    int items = ctx.options().killItems();
    String body =
        Api.batchBody("kill-" + cycle, items, CONCURRENCY).put("maxAttempts", maxAttempts).encode();
    UUID id = UUID.fromString(p.http().create(body));
    ledger.created(id, items);
    return id;
  }

  /** A batch that ran to the end with failed items (one attempt each at a 5 % failure rate). */
  private UUID completedWithFailures(SluiceProcess p, int cycle)
      throws InterruptedException, SQLException {
    UUID id = create(p, cycle, 1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!audit.ids("id = '" + id + "' AND status <> 'running'").isEmpty()) {
        return id;
      }
      Thread.sleep(50);
    }
    return id;
  }

  /**
   * After the last restart: every running batch must finish within the bound, paused ones must not
   * move, and then nothing live may be left in a finished batch; the API must agree with the rows.
   */
  private void settle(SluiceProcess p, ApiAudit api) throws Exception {
    long bound = ctx.options().finishBoundMs();
    Map<UUID, ItemAudit.Row> before = audit.rows();
    long t0 = System.nanoTime();
    Map<UUID, ItemAudit.Row> rows = before;
    while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(bound)) {
      rows = audit.rows();
      if (rows.values().stream().noneMatch(r -> r.status().equals("running") || r.stored(2) > 0)) {
        break;
      }
      Thread.sleep(100);
    }
    double took = (System.nanoTime() - t0) / 1e9;
    long runningAtStart =
        before.values().stream().filter(r -> r.status().equals("running")).count();
    out.say(
        "  after the last restart: %d running batches; waited %.1f s (bound %d ms) for them to finish",
        runningAtStart, took, bound);
    for (ItemAudit.Row r : rows.values()) {
      String s = r.status();
      if (s.equals("running")) {
        findings.add(
            "stuck",
            r.id().toString(),
            "at the end: batch "
                + r.id()
                + " still running after "
                + bound
                + " ms, "
                + r.finished()
                + " of "
                + r.stored(0)
                + " finished");
      } else if ((s.equals("cancelled") || s.equals("completed")) && r.live() > 0) {
        findings.add(
            "stuck",
            r.id().toString(),
            "at the end: "
                + s
                + " batch "
                + r.id()
                + " has "
                + r.counted(1)
                + " pending and "
                + r.counted(2)
                + " in-progress items (its row says "
                + r.stored(1)
                + " and "
                + r.stored(2)
                + ")");
      } else if (s.equals("paused") && r.stored(2) > 0) {
        findings.add(
            "stuck",
            r.id().toString(),
            "at the end: paused batch " + r.id() + " keeps " + r.stored(2) + " items in progress");
      }
      ItemAudit.Row b = before.get(r.id());
      if (s.equals("paused")
          && b != null
          && b.status().equals("paused")
          && r.finished() > b.finished()) {
        findings.add(
            "undone",
            "ran " + r.id(),
            "at the end: paused batch "
                + r.id()
                + " finished "
                + (r.finished() - b.finished())
                + " items after the restart");
      }
    }
    api.settled(p.http(), ledger, rows);
    audit.check(ledger, "at the end");
  }

  private String tally() {
    StringBuilder b = new StringBuilder();
    for (String k : Findings.KINDS) {
      b.append(b.length() == 0 ? "" : ", ").append(findings.count(k)).append(' ').append(k);
    }
    return b.toString();
  }

  private void report(int done, double seconds) {
    out.say("  %d kill cycles in %.0f s; restarts that failed: %d", done, seconds, failedStarts);
    out.say("  scenarios: %s", scenarios);
    out.say("  kill moments: %s", moments);
    out.say(
        "  controls: %d acknowledged (200), %d rejected, %d without an answer (the process died first); %d batches created",
        ledger.count(Ledger.Outcome.ACKNOWLEDGED),
        ledger.count(Ledger.Outcome.REJECTED),
        ledger.count(Ledger.Outcome.UNKNOWN),
        ledger.created().size());
    for (String k : Findings.KINDS) {
      out.say("  %-13s %6d   target 0", k, findings.count(k));
      for (String e : findings.examples(k)) {
        out.say("      %s", e);
      }
    }
    boolean pass =
        findings.total() == 0
            && failedStarts == 0
            && done >= Math.min(100, ctx.options().kills())
            && done == ctx.options().kills();
    String figures =
        tally()
            + " over "
            + done
            + " kill cycles"
            + (failedStarts > 0 ? ", " + failedStarts + " failed restarts" : "")
            + " (targets 0; ≥ 100 cycles)";
    out.verdict(
        "kill",
        pass && done >= 100,
        figures + (done < 100 ? "; fewer than 100 cycles, so not a final figure" : ""));
  }
}
