package dev.sluice.bench;

import static dev.sluice.bench.SluiceBench.say;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one round of (b)'s pauses measured ({@link PauseBench}), and how a timed round prints it.
 */
record PauseRound(
    List<Double> ms,
    List<Integer> batchSizes,
    List<Double> inFlight,
    long afterResponse,
    long afterRunnerAck,
    int runnerAcksSeen,
    long duringRequest,
    int replaced,
    int refused,
    double seconds,
    double dispatchRate,
    String usage,
    List<Double> floorMs,
    List<Double> loopFloorMs,
    List<Double> toBus,
    List<Double> toAck,
    List<Double> fromAck,
    List<Boolean> metGc,
    List<Double> gcMs) {

  private static final Locale L = Locale.ROOT;

  double p(double percentile) {
    return Stats.percentile(ms, percentile);
  }

  /** How many pauses were under way while this JVM collected garbage. */
  int metGcCount() {
    return (int) metGc.stream().filter(m -> m).count();
  }

  /** How many of the {@code n} slowest pauses were under way while this JVM collected garbage. */
  int metGcAmongSlowest(int n) {
    return (int) slowestFirst().stream().limit(n).filter(metGc::get).count();
  }

  /** The pauses' indexes, slowest first. */
  private List<Integer> slowestFirst() {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      order.add(i);
    }
    order.sort((x, y) -> Double.compare(ms.get(y), ms.get(x)));
    return order;
  }

  /** The percentile over the pauses of the smaller (2,000-item) batches only. */
  double smallBatchesP(double percentile) {
    List<Double> small = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      if (batchSizes.get(i) < 20_000) {
        small.add(ms.get(i));
      }
    }
    return small.isEmpty() ? Double.NaN : Stats.percentile(small, percentile);
  }

  /** The round's figures, as the timed runs print them. */
  void print(String label) {
    List<Double> pauseMs = ms;
    say(
        String.format(
            L,
            "  %s%d pauses over %.1f s; %d load batches replaced; %d pauses refused (the batch had just completed), not counted",
            label,
            pauseMs.size(),
            seconds(),
            replaced(),
            refused()));
    say(
        String.format(
            L,
            "      load: %,.0f dispatches/s; items in flight in the paused batch when the pause was stored: median %.0f, max %.0f",
            dispatchRate(),
            Stats.median(inFlight()),
            Stats.max(inFlight())));
    say(
        String.format(
            L,
            "      pause request → response: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
            p(50),
            p(99),
            Stats.max(pauseMs)));
    List<Integer> order = slowestFirst();
    StringBuilder slowest = new StringBuilder();
    for (int i = 0; i < Math.min(5, order.size()); i++) {
      int k = order.get(i);
      slowest
          .append(i == 0 ? "" : ", ")
          .append(
              String.format(
                  L,
                  "%,.0f ms (%,d-item batch%s)",
                  pauseMs.get(k),
                  batchSizes().get(k),
                  metGc().get(k) ? ", met a collection" : ""));
    }
    say("      slowest: " + slowest);
    say(
        String.format(
            L,
            "      garbage collections in this JVM meanwhile: %d (p50 %.0f ms, max %.0f ms); pauses"
                + " under way during one: %d of %d, %d of the two slowest",
            gcMs().size(),
            gcMs().isEmpty() ? 0 : Stats.percentile(gcMs(), 50),
            gcMs().isEmpty() ? 0 : Stats.max(gcMs()),
            metGcCount(),
            pauseMs.size(),
            metGcAmongSlowest(2)));
    say(
        String.format(
            L,
            "      split at the event bus: request → sent to the runner p50 %.1f ms, p99 %.1f ms;"
                + " request → runner's reply sent p50 %.1f ms, p99 %.1f ms; reply sent → response read"
                + " p50 %.1f ms, p99 %.1f ms",
            Stats.percentile(toBus(), 50),
            Stats.percentile(toBus(), 99),
            Stats.percentile(toAck(), 50),
            Stats.percentile(toAck(), 99),
            Stats.percentile(fromAck(), 50),
            Stats.percentile(fromAck(), 99)));
    say(
        String.format(
            L,
            "      pauses of the 2,000-item batches only: p50 %.1f ms, p99 %.1f ms",
            smallBatchesP(50),
            smallBatchesP(99)));
    say(
        String.format(
            L,
            "      the machine's floor under this load: a bare one-row commit every %d ms from a"
                + " connection of its own, p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d commits)",
            PauseBench.FLOOR_EVERY_MS,
            Stats.percentile(floorMs(), 50),
            Stats.percentile(floorMs(), 99),
            Stats.max(floorMs()),
            floorMs().size()));
    say(
        String.format(
            L,
            "      the same commit sent from one of Sluice's event loops through a Vert.x pool: p50"
                + " %.1f ms, p99 %.1f ms, max %.1f ms (%,d commits)",
            Stats.percentile(loopFloorMs(), 50),
            Stats.percentile(loopFloorMs(), 99),
            Stats.max(loopFloorMs()),
            loopFloorMs().size()));
    say(
        String.format(
            L,
            "      dispatches of the paused batch after the HTTP response and before the resume: %d; after the runner's"
                + " event-bus acknowledgement (seen for %d of %d): %d; while the pause request was in flight (allowed): %d",
            afterResponse(),
            runnerAcksSeen(),
            pauseMs.size(),
            afterRunnerAck(),
            duringRequest()));
    say("      " + usage());
  }
}
