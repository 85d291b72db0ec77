package dev.sluice.bench.faults;

import ch.qos.logback.classic.Level;
import dev.sluice.app.DatabaseUrl;
import dev.sluice.bench.OperatorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Sluice's fault harness (not a test: {@code mvn verify} never runs it). Run it with {@code
 * bench/faults}; docs/reliability.md explains each part and its targets. It drives the shipped jar
 * as a child process on loopback against a real PostgreSQL:
 *
 * <ul>
 *   <li>kill: SIGKILL and restart at random moments over running, paused, cancelling and retrying
 *       batches, checking the items and every acknowledged control through the API and the
 *       database;
 *   <li>outage: a private PostgreSQL stopped mid-run and started again, with a client calling the
 *       routes meanwhile;
 *   <li>fuzz: hostile requests, from malformed JSON to broken HTTP framing;
 *   <li>crowd: thousands of concurrent pause/resume requests over a few running batches.
 * </ul>
 *
 * <p>It exits 1 when any target is missed, 2 on a usage error.
 */
public final class FaultHarness {

  private static final List<Resources> OPEN = new CopyOnWriteArrayList<>();

  private FaultHarness() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("faults: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.sluice")).setLevel(Level.WARN);
    Path jar = Path.of(System.getProperty("sluice.jar", "target/sluice.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      System.err.println("faults: " + jar + " is missing; bench/faults builds it.");
      System.exit(2);
    }
    Path out = Path.of("target", "faults").toAbsolutePath();
    Path logs = out.resolve("logs");
    Files.createDirectories(logs);
    try (var old = Files.newDirectoryStream(logs, "*.log")) {
      for (Path f : old) {
        Files.delete(f);
      }
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> OPEN.forEach(Resources::closeAll), "faults-cleanup"));
    boolean pass;
    try (Report report = new Report(out.resolve("last-run.txt"))) {
      header(report, options, jar);
      long start = System.nanoTime();
      for (String part : options.only()) {
        run(part, new Context(options, report, jar, logs, resources()), out);
      }
      report.say("");
      report.say(
          "load average at the end: %s; whole run %.0f s",
          Machine.loadAverage(), (System.nanoTime() - start) / 1e9);
      pass = report.summary();
    }
    System.exit(pass ? 0 : 1);
  }

  private static Resources resources() {
    Resources r = new Resources();
    OPEN.add(r);
    return r;
  }

  private static void run(String part, Context ctx, Path out) {
    Report report = ctx.report();
    try {
      switch (part) {
        case "kill" -> new KillCycles(ctx).run();
        case "outage" -> new DatabaseOutage(ctx).run();
        case "fuzz" -> new Fuzz(ctx, out).run();
        case "crowd" -> new ControlCrowd(ctx).run();
        default -> throw new IllegalArgumentException(part);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      report.verdict(part, false, "interrupted");
    } catch (Exception e) {
      report.say("  the part stopped early: " + e);
      for (StackTraceElement el : e.getStackTrace()) {
        if (el.getClassName().startsWith("dev.sluice.bench")) {
          report.say("      at " + el);
        }
      }
      report.verdict(part, false, "did not finish: " + e.getMessage());
    } finally {
      ctx.resources().closeAll();
    }
  }

  private static void header(Report report, Options o, Path jar) {
    report.say(
        "Sluice fault harness, "
            + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    report.say(
        "machine:  %d cores, %s RAM, %s; %s %s",
        Machine.cores(),
        Machine.memory(),
        Machine.os(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"));
    report.say("postgres: %s (shared server, parts kill/fuzz/crowd)", Machine.postgres(admin()));
    report.say(
        "load:     %s (1/5/15-min load average at start; the machine is shared)",
        Machine.loadAverage());
    report.say("jar:      %s; child logs in target/faults/logs", jar);
    report.say(
        "settings: %s (SLUICE_* of the environment, given to every Sluice the harness starts)",
        OperatorSettings.line());
    report.say(
        "flags:    --only=%s --kills=%d --outage-ms=%d --fuzz=%d --crowd=%d --seed=%d --kill-items=%d"
            + " --finish-bound-ms=%d",
        String.join(",", o.only()),
        o.kills(),
        o.outageMs(),
        o.fuzz(),
        o.crowd(),
        o.seed(),
        o.killItems(),
        o.finishBoundMs());
  }

  private static DatabaseUrl admin() {
    String configured = System.getenv("SLUICE_TEST_ADMIN_URL");
    return configured != null && !configured.isBlank()
        ? DatabaseUrl.parse(configured)
        : new DatabaseUrl("127.0.0.1", 5432, "postgres", "postgres", null);
  }
}
