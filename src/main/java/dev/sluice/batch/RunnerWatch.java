package dev.sluice.batch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Asks every runner of the node, once a second, whether it is stuck ({@link BatchVerticle#watch}):
 * the backstop against a lost wake-up, driven by one timer of the node rather than a timer per
 * runner. Each tick asks a tenth of the runners, so ten thousand runners cost a thousand small
 * tasks per tick, spread over the second, and no timer of their own.
 */
final class RunnerWatch {

  /** How often each runner is asked. */
  static final long PERIOD_MS = 1000;

  /** Ticks per period; each asks its share of the runners. */
  static final int SLICES = 10;

  private final Supplier<Collection<Runnable>> runners;
  private List<Runnable> round = List.of();
  private int slice;

  /** {@code runners} gives, for each runner of the node now, how to ask it. */
  RunnerWatch(Supplier<Collection<Runnable>> runners) {
    this.runners = runners;
  }

  /** The tick's period: a timer calls {@link #tick} this often. */
  static long tickMillis() {
    return PERIOD_MS / SLICES;
  }

  /** Asks the next slice of the runners; a new round takes the runners there are now. */
  void tick() {
    if (slice == 0) {
      round = new ArrayList<>(runners.get());
    }
    int n = round.size();
    for (int i = n * slice / SLICES; i < n * (slice + 1) / SLICES; i++) {
      round.get(i).run();
    }
    slice = (slice + 1) % SLICES;
    if (slice == 0) {
      round = List.of();
    }
  }
}
