package dev.sluice.bench;

import java.util.List;

/**
 * Untimed rounds until the JVMs under test are warm. A production node has compiled its hot paths
 * long ago; a freshly spawned one spends most of its first rounds in the JIT compilers, which on
 * two shared cores take CPU from the work being measured. Warm rounds run until the compilers'
 * share of a core over one round falls below {@link #SETTLED_SHARE} (over several rounds in a row
 * where asked: one quiet round among busy ones is chance, not a warm JVM), or {@code max} rounds.
 */
public final class Warm {

  /** The compilers' CPU over a round, as a share of its wall time, below which they are warm. */
  static final double SETTLED_SHARE = 0.10;

  public interface Round {
    void run(int index) throws Exception;
  }

  /** How warming went: the rounds it took and the compilers' share of a core in the last. */
  public record Result(int rounds, double lastJitShare) {
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "%d untimed round%s (the JIT used %.0f %% of a core in the last)",
          rounds,
          rounds == 1 ? "" : "s",
          100 * lastJitShare);
    }
  }

  private Warm() {}

  public static Result until(List<Long> pids, int min, int max, Round round) throws Exception {
    return until(pids, min, max, 1, round);
  }

  /** As {@link #until(List, int, int, Round)}, settled only after {@code quiet} quiet rounds. */
  public static Result until(List<Long> pids, int min, int max, int quiet, Round round)
      throws Exception {
    double share = 1;
    int done = 0;
    int quietInARow = 0;
    while (done < max && (done < min || quietInARow < quiet)) {
      long t0 = System.nanoTime();
      double jit0 = jit(pids);
      round.run(done);
      double wall = (System.nanoTime() - t0) / 1e9;
      share = (jit(pids) - jit0) / wall;
      quietInARow = share < SETTLED_SHARE ? quietInARow + 1 : 0;
      done++;
    }
    return new Result(done, share);
  }

  static double cpu(List<Long> pids) {
    double sum = 0;
    for (long pid : pids) {
      sum += Cpu.process(pid);
    }
    return sum;
  }

  static double jit(List<Long> pids) {
    double sum = 0;
    for (long pid : pids) {
      sum += Cpu.compiler(pid);
    }
    return sum;
  }
}
