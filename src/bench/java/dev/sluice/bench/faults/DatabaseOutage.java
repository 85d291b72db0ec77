package dev.sluice.bench.faults;

import dev.sluice.app.Database;
import dev.sluice.app.DatabaseUrl;
import dev.sluice.batch.BatchStatus;
import dev.sluice.bench.SluiceProcess;
import dev.sluice.support.Api;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Part (b): PostgreSQL goes away mid-run. On a private cluster, with batches running and a client
 * calling the routes, the server is stopped at once ({@code pg_ctl stop -m immediate}) and started
 * again after the configured time (always, even when something fails). Reports what each route
 * answered meanwhile, whether readiness said so, and how long each running batch took to progress
 * after the database came back.
 */
final class DatabaseOutage {

  private static final int LATENCY_MS = 20;
  private static final int BATCHES = 4;
  private static final int CONCURRENCY = 8;
  private static final long PROGRESS_TARGET_MS = 10_000;
  private static final long PROGRESS_BOUND_MS = 60_000;
  private static final int CLIENTS = 3;

  /**
   * When a request was sent and answered: both before the stop, both while the database was away,
   * both after it was back, or across one of those edges — sent before the stop and answered after
   * it, or sent or answered while {@code pg_ctl} was stopping or starting the server (it stops
   * answering before {@code pg_ctl stop} returns, and accepts connections a moment before {@code
   * pg_ctl start} does); those are shown apart and held to no target.
   */
  private static final List<String> PHASES = List.of("before", "during", "across", "after");

  private final Context ctx;
  private final Report out;
  private final RouteTally tally = new RouteTally();
  private final AtomicReference<String> phase = new AtomicReference<>("before");
  private final AtomicBoolean calling = new AtomicBoolean(true);
  private final AtomicLong readyAgain = new AtomicLong(-1);
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  DatabaseOutage(Context ctx) {
    this.ctx = ctx;
    this.out = ctx.report();
  }

  void run() throws Exception {
    long outage = ctx.options().outageMs();
    int items = (int) (1000 / LATENCY_MS * CONCURRENCY * (outage / 1000 + 40));
    PrivatePostgres pg = PrivatePostgres.create();
    ctx.resources().add(pg, pg::startIfStoppedThenRemove);
    DatabaseUrl url = DatabaseUrl.parse(pg.url());
    out.section(
        String.format(
            Locale.ROOT,
            "(b) outage: a private PostgreSQL %s cluster (initdb in a temp directory, port %d), stopped with"
                + " pg_ctl stop -m immediate for %d ms mid-run; %d batches of %,d items at concurrency %d,"
                + " simulated %d ms; %d clients calling the routes (5 s timeout each)",
            Machine.postgres(url).replace("PostgreSQL ", ""),
            pg.port(),
            outage,
            BATCHES,
            items,
            CONCURRENCY,
            LATENCY_MS,
            CLIENTS));
    SluiceProcess p = ctx.spawn("outage", Context.settings(pg.url(), LATENCY_MS, 0));
    p.awaitReady(120_000, 20);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < BATCHES; i++) {
      ids.add(p.http().create(Api.batchBody("outage-" + i, items, CONCURRENCY).encode()));
    }
    String controlled = p.http().create(Api.batchBody("outage-controls", 2_000, 2).encode());
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int offset = c;
      Thread t = new Thread(() -> call(p.port(), ids, controlled, offset), "outage-client-" + c);
      t.start();
      clients.add(t);
    }
    Thread.sleep(3_000);
    List<UUID> running = runningIds(url);
    running.remove(UUID.fromString(controlled));
    long stopped;
    long back;
    phase.set("stopping");
    pg.stopImmediately();
    stopped = System.nanoTime();
    phase.set("during");
    try {
      Thread.sleep(outage);
    } finally {
      phase.set("returning");
      pg.start();
      back = System.nanoTime();
      phase.set("after");
    }
    out.say("  database away for %.1f s (stop → start returned)", (back - stopped) / 1e9);
    Progress after = awaitProgress(url, running, back);
    Map<UUID, Double> progressed = after.moved();
    // A batch running when the list was read but ended by the first read after the return ended
    // before the stop, or reached its end as soon as the database was back: either way it has
    // nothing left to show.
    running.removeAll(after.ended());
    if (!after.ended().isEmpty()) {
      out.say(
          "  %d of the batches running a moment before the stop had ended by the first read after"
              + " the return (not counted)",
          after.ended().size());
    }
    long again = readyAgain.get();
    double ready = again < 0 ? Double.NaN : (again - back) / 1e9;
    Thread.sleep(1_000);
    calling.set(false);
    for (Thread t : clients) {
      t.join(10_000);
    }
    report(p, running, progressed, ready);
    p.stop();
  }

  private void call(int port, List<String> ids, String controlled, int offset) {
    String base = "http://127.0.0.1:" + port;
    String create = Api.batchBody("outage-small", 5, 1).encode();
    boolean pause = offset % 2 == 0;
    for (int i = offset; calling.get(); i++) {
      String ph = phase.get();
      switch (i % 6) {
        case 0 ->
            send(
                ph,
                "GET batch",
                HttpRequest.newBuilder(
                        URI.create(base + "/api/generation/batch/" + ids.get(i % ids.size())))
                    .GET());
        case 1 ->
            send(
                ph,
                "GET list",
                HttpRequest.newBuilder(URI.create(base + "/api/generation/batch?limit=20")).GET());
        case 2 -> send(ph, "POST create", json(base + "/api/generation/batch", create));
        case 3 -> {
          String command = pause ? "pause" : "resume";
          pause = !pause;
          send(
              ph,
              "POST " + command,
              json(base + "/api/generation/batch/" + controlled + "/" + command, ""));
        }
        case 4 ->
            send(
                ph,
                "GET /health/ready",
                HttpRequest.newBuilder(URI.create(base + "/health/ready")).GET());
        default ->
            send(
                ph,
                "GET /health/live",
                HttpRequest.newBuilder(URI.create(base + "/health/live")).GET());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static HttpRequest.Builder json(String uri, String body) {
    return HttpRequest.newBuilder(URI.create(uri))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private void send(String sent, String route, HttpRequest.Builder request) {
    try {
      HttpResponse<String> r =
          client.send(
              request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      String ph = answeredIn(sent);
      String answer = Integer.toString(r.statusCode());
      if (phase.get().equals("after")
          && route.equals("GET /health/ready")
          && r.statusCode() == 200) {
        readyAgain.compareAndSet(-1, System.nanoTime());
      }
      if (r.statusCode() == 503) {
        answer +=
            r.headers().firstValue("Retry-After").isPresent()
                ? " with Retry-After"
                : " without Retry-After";
      }
      tally.add(
          ph, route, answer, r.body().length() > 200 ? r.body().substring(0, 200) + "…" : r.body());
    } catch (HttpTimeoutException e) {
      tally.add(answeredIn(sent), route, "timeout", "");
    } catch (IOException e) {
      tally.add(answeredIn(sent), route, "no connection", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The phase a request sent in {@code sent} is counted in, now that it has its answer. */
  private String answeredIn(String sent) {
    return sent.equals(phase.get()) && PHASES.contains(sent) ? sent : "across";
  }

  private static List<UUID> runningIds(DatabaseUrl url) throws SQLException {
    List<UUID> ids = new ArrayList<>();
    try (Connection c = Database.connect(url);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT id FROM batches WHERE status = 'running' AND pending > 0 ORDER BY created_at")) {
      while (rs.next()) {
        ids.add((UUID) rs.getObject(1));
      }
    }
    return ids;
  }

  /** Finished items (or the status, once it is not running) of each batch. */
  private static Map<UUID, String> progress(DatabaseUrl url) throws SQLException {
    Map<UUID, String> m = new LinkedHashMap<>();
    try (Connection c = Database.connect(url);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT id, status, succeeded + failed + cancelled FROM batches")) {
      while (rs.next()) {
        m.put(
            (UUID) rs.getObject(1),
            rs.getString(2).equals("running") ? Long.toString(rs.getLong(3)) : rs.getString(2));
      }
    }
    return m;
  }

  /**
   * After the return: the seconds until each batch's counts moved (absent if they never did), of
   * the batches that had not ended by the first read; and those that had.
   */
  private record Progress(Map<UUID, Double> moved, Set<UUID> ended) {}

  private static Progress awaitProgress(DatabaseUrl url, List<UUID> ids, long back)
      throws InterruptedException {
    Map<UUID, Double> moved = new LinkedHashMap<>();
    Set<UUID> ended = new HashSet<>();
    Map<UUID, String> baseline = null;
    while (System.nanoTime() - back < TimeUnit.MILLISECONDS.toNanos(PROGRESS_BOUND_MS)
        && moved.size() + ended.size() < ids.size()) {
      try {
        Map<UUID, String> now = progress(url);
        if (baseline == null) {
          baseline = now;
          for (UUID id : ids) {
            if (ended(now.get(id))) {
              ended.add(id);
            }
          }
        }
        double t = (System.nanoTime() - back) / 1e9;
        for (UUID id : ids) {
          if (!moved.containsKey(id)
              && !ended.contains(id)
              && !String.valueOf(now.get(id)).equals(baseline.get(id))) {
            moved.put(id, t);
          }
        }
      } catch (SQLException e) {
        // the server is still starting its sessions; look again
      }
      Thread.sleep(100);
    }
    return new Progress(moved, ended);
  }

  /** Whether a value of {@link #progress} is the status of a batch that has ended. */
  private static boolean ended(@Nullable String progress) {
    return progress != null
        && BatchStatus.parse(progress).map(BatchStatus::isTerminal).orElse(false);
  }

  /** The verdict's words on the batches' progress after the return. */
  private static String progressed(List<UUID> running, Map<UUID, Double> moved, double worst) {
    if (running.isEmpty()) {
      return "no batch was running at the stop, so none could show progress";
    }
    return String.format(
        Locale.ROOT,
        "%d of %d running batches progressed, the slowest %s after the return",
        moved.size(),
        running.size(),
        Double.isInfinite(worst) ? "never" : String.format(Locale.ROOT, "%.1f s", worst));
  }

  private void report(SluiceProcess p, List<UUID> running, Map<UUID, Double> moved, double ready) {
    out.say(
        "  answers by route (before the stop | while the database was away | across the stop or the"
            + " return | after it came back):");
    for (String line : tally.lines(PHASES)) {
      out.say("    " + line);
    }
    int errors =
        tally.count("before", "", "500")
            + tally.count("during", "", "500")
            + tally.count("across", "", "500")
            + tally.count("after", "", "500");
    int bare =
        tally.count("during", "POST", "503 without")
            + tally.count("during", "GET b", "503 without")
            + tally.count("during", "GET l", "503 without");
    int notReady = tally.count("during", "GET /health/ready", "503");
    int readyAnswers = tally.count("during", "GET /health/ready", "");
    out.say(
        "  500 answers: %d (any is a finding)%s",
        errors, errors == 0 ? "" : "; the first of them:");
    tally.errors().stream().limit(10).forEach(e -> out.say("      " + e));
    out.say("  503s on API routes without Retry-After while the database was away: %d", bare);
    out.say(
        "  /health/ready while the database was away: %d of %d answers said not ready (503)",
        notReady, readyAnswers);
    out.say(
        "  /health/ready answered 200 again %.1f s after the database's return (as the client saw it); Sluice %s",
        ready, p.alive() ? "still running" : "EXITED");
    double worst = 0;
    int shown = 0;
    for (UUID id : running) {
      Double t = moved.get(id);
      worst = Math.max(worst, t == null ? Double.POSITIVE_INFINITY : t);
      if (++shown > 8) {
        continue;
      }
      out.say(
          "    batch %s: %s",
          id,
          t == null
              ? "no progress within " + PROGRESS_BOUND_MS / 1000 + " s"
              : String.format(Locale.ROOT, "counts moved %.1f s after the return", t));
    }
    if (shown > 8) {
      out.say(
          "    … and %d more batches that were running (small ones the client created)", shown - 8);
    }
    boolean progressed = !running.isEmpty() && worst * 1000 <= PROGRESS_TARGET_MS;
    boolean pass =
        progressed
            && errors == 0
            && bare == 0
            && readyAnswers > 0
            && notReady == readyAnswers
            && p.alive();
    out.verdict(
        "outage",
        pass,
        String.format(
            Locale.ROOT,
            "%s (target ≤ 10 s); %d 500s, %d bare 503s"
                + " (targets 0); readiness not-ready %d of %d while away (target all)",
            progressed(running, moved, worst),
            errors,
            bare,
            notReady,
            readyAnswers));
  }
}
