package dev.sluice.bench;

import static dev.sluice.bench.SluiceBench.body;
import static dev.sluice.bench.SluiceBench.check;
import static dev.sluice.bench.SluiceBench.millis;
import static dev.sluice.bench.SluiceBench.say;
import static dev.sluice.bench.SluiceBench.seconds;
import static dev.sluice.bench.SluiceBench.section;

import dev.sluice.app.Settings;
import dev.sluice.app.Sluice;
import dev.sluice.app.SluiceConfig;
import dev.sluice.generate.SimulatedGenerator;
import dev.sluice.support.TestDatabase;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * (b) pause ({@code bench/run --only=pause}): Sluice in the benchmark's JVM with a generator that
 * records every dispatch, under load; 100 pause requests per run, each held, then resumed.
 * Measured: the request-to-response latency (split at the moment the runner sends its reply) and
 * the items dispatched after each acknowledgement. The JVM is warmed first by untimed rounds of the
 * same.
 */
final class PauseBench {

  private static final Locale L = Locale.ROOT;
  private static final long PID = ProcessHandle.current().pid();
  static final double TARGET_PAUSE_P99_MS = 20;

  private static final int PAUSES = 100;
  private static final int PAUSE_LATENCY_MS = 20;
  private static final long PAUSE_HOLD_MS = 100;
  private static final int MAX_PAUSE_WARM_UPS = 8;
  static final long FLOOR_EVERY_MS = 20;

  private final SluiceBench bench;

  PauseBench(SluiceBench bench) {
    this.bench = bench;
  }

  void run() throws Exception {
    section(
        "(b) pause: Sluice in this JVM (Sluice.start) with a dispatch-recording generator, simulated latency "
            + PAUSE_LATENCY_MS
            + " ms (mean), failure rate 0; a fresh database");
    say(
        "  load: 1 batch of 20,000 items (concurrency 256) + 9 of 2,000 (concurrency 32), each replaced by a"
            + " fresh one when it completes; up to 544 items in flight. Each pause is held "
            + PAUSE_HOLD_MS
            + " ms, then resumed; the pauses go round the 10 load batches");
    // A production node compiled its control path long ago; this JVM (Sluice and the client)
    // compiles its own in the first rounds, which took most of the first run's tail.
    List<Double> coldP99s = new ArrayList<>();
    Warm.Result warm;
    try (TestDatabase db = bench.database()) {
      warm =
          inProcess(
              db,
              (http, log, acks, vertx) ->
                  Warm.until(
                      List.of(PID),
                      1,
                      MAX_PAUSE_WARM_UPS,
                      w -> coldP99s.add(pauseRound(http, log, acks, vertx, db, "", false).p(99))));
    }
    say(
        String.format(
            L,
            "  warm after %s; their p99s, cold first: %s ms",
            warm.describe(),
            coldP99s.stream().map(v -> String.format(L, "%.1f", v)).toList()));
    List<PauseRound> rounds = new ArrayList<>();
    for (int run = 1; run <= bench.runs(); run++) {
      String label = "run " + run + " ";
      try (TestDatabase db = bench.database()) {
        rounds.add(
            inProcess(
                db,
                (http, log, acks, vertx) -> pauseRound(http, log, acks, vertx, db, label, true)));
      }
    }
    figures(rounds);
  }

  /** The summary's figures over the timed rounds. */
  private void figures(List<PauseRound> rounds) {
    List<Double> p99s = new ArrayList<>();
    List<Double> p50s = new ArrayList<>();
    List<Double> smallP99s = new ArrayList<>();
    int metGc = 0;
    int slowestMetGc = 0;
    List<Double> floorP99s = new ArrayList<>();
    List<Double> floorP50s = new ArrayList<>();
    List<Double> loopFloorP99s = new ArrayList<>();
    double max = 0;
    long afterResponse = 0;
    long afterAck = 0;
    long acksSeen = 0;
    long pauses = 0;
    StringBuilder each = new StringBuilder();
    for (PauseRound r : rounds) {
      p99s.add(r.p(99));
      p50s.add(r.p(50));
      smallP99s.add(r.smallBatchesP(99));
      metGc += r.metGcCount();
      slowestMetGc += r.metGcAmongSlowest(2);
      floorP99s.add(Stats.percentile(r.floorMs(), 99));
      floorP50s.add(Stats.percentile(r.floorMs(), 50));
      loopFloorP99s.add(Stats.percentile(r.loopFloorMs(), 99));
      max = Math.max(max, Stats.max(r.ms()));
      afterResponse += r.afterResponse();
      afterAck += r.afterRunnerAck();
      acksSeen += r.runnerAcksSeen();
      pauses += r.ms().size();
      each.append(each.length() == 0 ? "" : ", ").append(String.format(L, "%.1f", r.p(99)));
    }
    bench.figure(
        new Figure(
            "(b) pause p99, request → response",
            Stats.median(p99s),
            "ms",
            TARGET_PAUSE_P99_MS,
            false,
            String.format(
                L,
                "median of the runs' p99 (each over 100 pauses): %s ms; p50 %.1f ms; max %.1f ms; the"
                    + " 2,000-item batches alone: p99 %.1f ms; %d of the %d pauses met a garbage"
                    + " collection of this JVM, %d of the %d that set the runs' p99s (each run's"
                    + " two slowest)",
                each,
                Stats.median(p50s),
                max,
                Stats.median(smallP99s),
                metGc,
                rounds.stream().mapToInt(r -> r.ms().size()).sum(),
                slowestMetGc,
                2 * rounds.size())));
    bench.figure(
        new Figure(
            "(b) machine floor: bare commit p99 under that load",
            Stats.median(floorP99s),
            "ms",
            0,
            true,
            String.format(
                L,
                "no target: one-row commits every %d ms beside the same load; runs' p99 %s ms, p50"
                    + " %.1f ms; the pause p99 is %.2f× this floor; the same commit sent from an"
                    + " event loop: p99 %.1f ms",
                FLOOR_EVERY_MS,
                String.join(
                    ", ", floorP99s.stream().map(v -> String.format(L, "%.1f", v)).toList()),
                Stats.median(floorP50s),
                Stats.median(p99s) / Stats.median(floorP99s),
                Stats.median(loopFloorP99s))));
    bench.figure(
        new Figure(
            "(b) items dispatched after an acknowledged pause",
            afterResponse + afterAck,
            "items",
            0,
            false,
            String.format(
                L,
                "over all %d pauses: %d after the HTTP response, %d after the runner's ack (%d acks seen)",
                pauses,
                afterResponse,
                afterAck,
                acksSeen)));
  }

  /** A measurement against Sluice started in this JVM. */
  interface InProcess<T> {
    T run(Http http, DispatchLog dispatches, AckClock acks, Vertx vertx) throws Exception;
  }

  /**
   * Starts Sluice in this JVM on the database with the recording generator, runs the body, stops
   * it.
   */
  private <T> T inProcess(TestDatabase db, InProcess<T> body) throws Exception {
    Map<String, String> env = SluiceBench.settings(db, Integer.toString(PAUSE_LATENCY_MS));
    env.put("SLUICE_HTTP_HOST", "127.0.0.1");
    env.put("SLUICE_HTTP_PORT", "0");
    SluiceConfig config = Settings.load(List.of(), env);
    AtomicReference<DispatchLog> log = new AtomicReference<>();
    Sluice sluice =
        Sluice.start(
            config,
            vertx -> {
              DispatchLog d = new DispatchLog(new SimulatedGenerator(vertx, config.simulated()));
              log.set(d);
              return d;
            });
    bench.holdOpen(sluice, sluice::halt);
    try {
      AckClock acks = new AckClock();
      sluice.vertx().eventBus().addOutboundInterceptor(acks);
      return body.run(new Http(sluice.port()), log.get(), acks, sluice.vertx());
    } finally {
      bench.release(sluice);
      sluice.close();
    }
  }

  private PauseRound pauseRound(
      Http http,
      DispatchLog dispatches,
      AckClock acks,
      Vertx vertx,
      TestDatabase db,
      String label,
      boolean report)
      throws Exception {
    // No checkpoint under way from the rounds before: the load writes enough WAL to start one.
    WriteMeter writes = WriteMeter.afterCheckpoint(db);
    long dispatchedBefore = dispatches.total();
    int[][] shapes = new int[10][];
    shapes[0] = new int[] {20_000, 256};
    for (int i = 1; i < shapes.length; i++) {
      shapes[i] = new int[] {2_000, 32};
    }
    List<String> load = new ArrayList<>();
    for (int i = 0; i < shapes.length; i++) {
      load.add(http.create(body("load-" + i, shapes[i][0], shapes[i][1])));
    }
    Thread.sleep(1_000);

    List<Double> pauseMs = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    List<Double> inFlight = new ArrayList<>();
    List<Double> toBus = new ArrayList<>();
    List<Double> toAck = new ArrayList<>();
    List<Double> fromAck = new ArrayList<>();
    long afterResponse = 0;
    long afterRunnerAck = 0;
    long duringRequest = 0;
    int runnerAcksSeen = 0;
    int replaced = 0;
    int refused = 0;
    Usage usage = Usage.start(PID, "this JVM (Sluice + the benchmark's client)", db);
    CommitFloor.Probe floor = CommitFloor.during(db, FLOOR_EVERY_MS);
    EventLoopFloor loopFloor = EventLoopFloor.during(vertx, db, FLOOR_EVERY_MS);
    GcPauses gc = GcPauses.during();
    List<long[]> windows = new ArrayList<>();
    long loadStart = System.nanoTime();
    long dispatchedAtStart = dispatches.total();
    int turn = 0;
    while (pauseMs.size() < PAUSES) {
      int slot = turn++ % load.size();
      String id = load.get(slot);
      if (!http.batch(id).getString("status").equals("running")) {
        id = http.create(body("load-" + slot + "-" + turn, shapes[slot][0], shapes[slot][1]));
        load.set(slot, id);
        replaced++;
      }
      long sent = System.nanoTime();
      Http.Reply paused = http.control(id, "pause");
      long answered = System.nanoTime();
      if (paused.status() == 409) {
        refused++; // it completed between the status check and the pause
        acks.take(id);
        continue;
      }
      check(
          paused.status() == 200 && paused.json().getString("status").equals("paused"),
          "pause answered " + paused.status() + ": " + paused.body());
      pauseMs.add(millis(sent, answered));
      windows.add(new long[] {sent, answered});
      sizes.add(shapes[slot][0]);
      inFlight.add((double) paused.json().getJsonObject("counts").getInteger("inProgress"));
      Thread.sleep(PAUSE_HOLD_MS);
      long resumeSent = System.nanoTime();
      Http.Reply resumed = http.control(id, "resume");
      check(resumed.status() == 200, "resume answered " + resumed.status() + ": " + resumed.body());
      afterResponse += dispatches.between(id, answered, resumeSent);
      duringRequest += dispatches.between(id, sent, answered);
      var ack = acks.take(id);
      if (ack.isPresent()) {
        long replied = ack.get().repliedNanos();
        toBus.add(millis(sent, ack.get().sentNanos()));
        toAck.add(millis(sent, replied));
        fromAck.add(millis(replied, answered));
        runnerAcksSeen++;
        afterRunnerAck += dispatches.between(id, replied, resumeSent);
      }
    }
    long loadEnd = System.nanoTime();
    List<Double> floorMs = floor.stop();
    List<Double> loopFloorMs = loopFloor.stop();
    List<GcPauses.Span> collections = gc.stop();
    List<Boolean> metGc = windows.stream().map(w -> gc.met(collections, w[0], w[1])).toList();
    String used =
        usage.until(loadEnd)
            + "\n      "
            + writes.until(Math.max(1, dispatches.total() - dispatchedBefore));
    double rate = (dispatches.total() - dispatchedAtStart) / seconds(loadStart, loadEnd);
    for (String id : load) {
      http.control(id, "cancel");
    }
    SluiceBench.awaitQuiet(db);
    PauseRound r =
        new PauseRound(
            pauseMs,
            sizes,
            inFlight,
            afterResponse,
            afterRunnerAck,
            runnerAcksSeen,
            duringRequest,
            replaced,
            refused,
            seconds(loadStart, loadEnd),
            rate,
            used,
            floorMs,
            loopFloorMs,
            toBus,
            toAck,
            fromAck,
            metGc,
            collections.stream().map(GcPauses.Span::ms).toList());
    if (report) {
      r.print(label);
    }
    return r;
  }
}
