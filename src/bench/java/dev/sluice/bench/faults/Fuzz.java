package dev.sluice.bench.faults;

import dev.sluice.bench.Http;
import dev.sluice.bench.SluiceProcess;
import dev.sluice.support.Api;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Part (c): hostile requests against a running Sluice, each on its own loopback connection. Counts
 * answers by status, lists every 5xx and every error answered with something other than
 * application/problem+json, and checks afterwards that batches the requests never named are
 * unchanged and that {@code /health/live} still answers.
 */
final class Fuzz {

  private static final int WORKERS = 8;
  private static final int TIMEOUT_MS = 3_000;
  private static final int SHOWN = 140;

  /** One request and what it got. */
  private record Exchange(
      int index, String kind, String request, boolean head, RawHttp.Answer answer) {
    String line() {
      String body =
          answer.body().length() > 60 ? answer.body().substring(0, 60) + "…" : answer.body();
      return String.format(
          Locale.ROOT,
          "#%d [%s] %s %s ← %s  body: %s",
          index,
          kind,
          answer.label(),
          answer.contentType(),
          request,
          body.replace("\n", "\\n"));
    }
  }

  private final Context ctx;
  private final Report out;
  private final Path findingsFile;
  private final Map<String, Integer> byStatus = new TreeMap<>();
  private final Map<String, Map<String, Integer>> byKind = new TreeMap<>();
  private final List<Exchange> serverErrors = new ArrayList<>();
  private final List<Exchange> notProblems = new ArrayList<>();
  private final List<Exchange> noAnswer = new ArrayList<>();

  Fuzz(Context ctx, Path out) {
    this.ctx = ctx;
    this.out = ctx.report();
    this.findingsFile = out.resolve("fuzz-findings.txt");
  }

  void run() throws Exception {
    int n = ctx.options().fuzz();
    long seed = ctx.options().seed();
    out.section(
        String.format(
            Locale.ROOT,
            "(c) fuzz: %,d hostile requests (seed %d), %d at a time, each on a new loopback connection (%d ms read timeout)",
            n,
            seed,
            WORKERS,
            TIMEOUT_MS));
    TestDatabase db = ctx.database();
    SluiceProcess p = ctx.spawn("fuzz", Context.settings(Context.url(db), 20, 0.02));
    p.awaitReady(120_000, 20);
    Http http = p.http();
    Map<String, String> kept = keptBatches(http);
    List<String> victims = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      victims.add(http.create(Api.batchBody("fuzz-victim-" + i, 2_000, 2).encode()));
    }
    HostileRequests requests = new HostileRequests(seed, victims);
    AtomicInteger next = new AtomicInteger();
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    for (int w = 0; w < WORKERS; w++) {
      pool.execute(
          () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
              HostileRequests.Hostile h = requests.get(i);
              RawHttp.Answer a = RawHttp.exchange(p.port(), h.bytes(), h.head(), TIMEOUT_MS);
              record(new Exchange(i, h.kind(), summary(h), h.head(), a));
            }
          });
    }
    pool.shutdown();
    if (!pool.awaitTermination(30, TimeUnit.MINUTES)) {
      pool.shutdownNow();
      throw new IllegalStateException("the fuzz requests did not end within 30 minutes");
    }
    double took = (System.nanoTime() - t0) / 1e9;
    boolean live = http.probe("/health/live").map(r -> r.status() == 200).orElse(false);
    List<String> changed = changed(http, kept);
    report(n, took, live, changed, p.alive());
    p.stop();
  }

  private synchronized void record(Exchange e) {
    RawHttp.Answer a = e.answer();
    byStatus.merge(a.label(), 1, Integer::sum);
    byKind.computeIfAbsent(e.kind(), k -> new TreeMap<>()).merge(a.label(), 1, Integer::sum);
    if (a.status() >= 500 && a.status() != 505) {
      serverErrors.add(e);
    } else if (a.status() >= 400 && !problem(a, e)) {
      notProblems.add(e);
    } else if (a.status() < 0) {
      noAnswer.add(e);
    }
  }

  private static boolean problem(RawHttp.Answer a, Exchange e) {
    if (!a.contentType().toLowerCase(Locale.ROOT).startsWith("application/problem+json")) {
      return false;
    }
    if (e.head()) {
      return true;
    }
    try {
      return new JsonObject(a.body()).getInteger("status", -1) == a.status();
    } catch (RuntimeException ex) {
      return false;
    }
  }

  /**
   * A completed, a paused and a cancelled batch no hostile request names, as the API shows them.
   */
  private static Map<String, String> keptBatches(Http http) throws InterruptedException {
    String done = http.create(Api.batchBody("fuzz-kept-completed", 10, 10).encode());
    String paused = http.create(Api.batchBody("fuzz-kept-paused", 500, 2).encode());
    String cancelled = http.create(Api.batchBody("fuzz-kept-cancelled", 500, 2).encode());
    http.control(paused, "pause");
    http.control(cancelled, "cancel");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (http.batch(done).getString("status").equals("completed")
          && http.batch(paused).getJsonObject("counts").getInteger("inProgress") == 0
          && http.batch(cancelled).getJsonObject("counts").getInteger("inProgress") == 0) {
        break;
      }
      Thread.sleep(100);
    }
    Thread.sleep(500);
    Map<String, String> kept = new LinkedHashMap<>();
    for (String id : List.of(done, paused, cancelled)) {
      kept.put(id, view(http, id));
    }
    return kept;
  }

  private static String view(Http http, String id) {
    String base = "/api/generation/batch/" + id;
    return http.get(base).body()
        + "\n"
        + http.get(base + "/items?limit=500").body()
        + "\n"
        + http.get(base + "/events").body();
  }

  private static List<String> changed(Http http, Map<String, String> kept) {
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, String> e : kept.entrySet()) {
      try {
        if (!view(http, e.getKey()).equals(e.getValue())) {
          changed.add(e.getKey());
        }
      } catch (RuntimeException ex) {
        changed.add(e.getKey() + " (unreadable: " + ex.getMessage() + ")");
      }
    }
    return changed;
  }

  private void report(int n, double took, boolean live, List<String> changed, boolean alive)
      throws IOException {
    out.say("  %,d requests in %.1f s; answers by status: %s", n, took, byStatus);
    out.say("  by kind of request:");
    byKind.forEach((k, v) -> out.say("    %-20s %s", k, v));
    List<String> file = new ArrayList<>();
    out.say(
        "  5xx answers: %d (target 0)%s",
        serverErrors.size(), serverErrors.isEmpty() ? "" : ", each with its request:");
    for (Exchange e : sorted(serverErrors)) {
      out.say("    " + e.line());
      file.add("5xx " + e.line());
    }
    out.say(
        "  errors not answered as application/problem+json: %d%s",
        notProblems.size(),
        notProblems.isEmpty()
            ? ""
            : " (the first 40 here, all in target/faults/fuzz-findings.txt)");
    List<Exchange> np = sorted(notProblems);
    for (int i = 0; i < np.size(); i++) {
      if (i < 40) {
        out.say("    " + np.get(i).line());
      }
      file.add("not-problem " + np.get(i).line());
    }
    out.say(
        "  no answer at all: %d%s",
        noAnswer.size(), noAnswer.isEmpty() ? "" : " (the first 20 here, all in the file)");
    List<Exchange> na = sorted(noAnswer);
    for (int i = 0; i < na.size(); i++) {
      if (i < 20) {
        out.say("    " + na.get(i).line());
      }
      file.add("no-answer " + na.get(i).line());
    }
    Files.write(findingsFile, file, StandardCharsets.UTF_8);
    out.say(
        "  afterwards: /health/live %s; Sluice %s; batches no request named: %s",
        live ? "answers 200" : "DOES NOT ANSWER",
        alive ? "still running" : "EXITED",
        changed.isEmpty() ? "unchanged" : "CHANGED " + changed);
    boolean pass = serverErrors.isEmpty() && live && alive && changed.isEmpty() && n >= 10_000;
    out.verdict(
        "fuzz",
        pass,
        String.format(
            Locale.ROOT,
            "%d 5xx in %,d hostile requests (target 0, over ≥ 10,000); %d non-problem error bodies, %d without an answer; /health/live %s; kept batches %s",
            serverErrors.size(),
            n,
            notProblems.size(),
            noAnswer.size(),
            live ? "200" : "down",
            changed.isEmpty() ? "unchanged" : "changed"));
  }

  private static List<Exchange> sorted(List<Exchange> xs) {
    List<Exchange> s = new ArrayList<>(xs);
    s.sort(java.util.Comparator.comparingInt(Exchange::index));
    return s;
  }

  /**
   * The request as a line: framing errors as their first bytes; others as the request line, the
   * Content-Type and the start of the body (the standard headers in between are left out).
   */
  static String summary(HostileRequests.Hostile h) {
    byte[] b = h.bytes();
    String text = new String(b, 0, Math.min(b.length, 4096), StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (h.kind().equals("framing") || end < 0) {
      return shown(b, SHOWN);
    }
    String line = text.substring(0, text.indexOf("\r\n"));
    String type = "";
    for (String header : text.substring(0, end).split("\r\n", -1)) {
      if (header.regionMatches(true, 0, "Content-Type:", 0, 13)) {
        type = " [" + header.substring(13).strip() + "]";
      }
    }
    int bodyLength = b.length - end - 4;
    String body =
        bodyLength == 0
            ? ""
            : " body("
                + bodyLength
                + " B): "
                + shown(java.util.Arrays.copyOfRange(b, end + 4, b.length), 100);
    return shown(line.getBytes(StandardCharsets.ISO_8859_1), 120)
        + shown(type.getBytes(StandardCharsets.ISO_8859_1), 60)
        + body;
  }

  /** The request's first bytes, printable: others as \xNN. */
  static String shown(byte[] bytes, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < bytes.length && b.length() < max; i++) {
      int c = bytes[i] & 0xFF;
      if (c == '\r') {
        b.append("\\r");
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c < 0x20 || c >= 0x7F) {
        b.append(String.format(Locale.ROOT, "\\x%02X", c));
      } else {
        b.append((char) c);
      }
    }
    return bytes.length > max ? b + "… (" + bytes.length + " bytes)" : b.toString();
  }
}
