package dev.sluice.bench.faults;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The harness's flags: which parts to run and how much of each. Every count and duration has a
 * bound, so a run always ends.
 */
record Options(
    Set<String> only,
    int kills,
    long outageMs,
    int fuzz,
    int crowd,
    long seed,
    int killItems,
    long finishBoundMs) {

  static final List<String> PARTS = List.of("kill", "outage", "fuzz", "crowd");

  static final String USAGE =
      "usage: bench/faults [--only=kill,outage,fuzz,crowd] [--kills=N] [--outage-ms=N] [--fuzz=N]"
          + " [--crowd=N] [--seed=N] [--kill-items=N] [--finish-bound-ms=N]";

  static Options parse(String[] args) {
    Set<String> only = new LinkedHashSet<>(PARTS);
    int kills = 100;
    long outageMs = 20_000;
    int fuzz = 10_000;
    int crowd = 2_000;
    long seed = 20_261_201L;
    int killItems = 3_000;
    long finishBoundMs = 60_000;
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? "" : arg.substring(eq + 1);
      switch (name) {
        case "--only" -> {
          only = new LinkedHashSet<>(List.of(value.split(",", -1)));
          if (!PARTS.containsAll(only)) {
            throw new IllegalArgumentException("unknown part in " + arg);
          }
        }
        case "--kills" -> kills = bounded(value, 1, 10_000, arg);
        case "--outage-ms" -> outageMs = bounded(value, 1_000, 600_000, arg);
        case "--fuzz" -> fuzz = bounded(value, 1, 1_000_000, arg);
        case "--crowd" -> crowd = bounded(value, 4, 20_000, arg);
        case "--seed" -> seed = Long.parseLong(value);
        case "--kill-items" -> killItems = bounded(value, 10, 100_000, arg);
        case "--finish-bound-ms" -> finishBoundMs = bounded(value, 1_000, 3_600_000, arg);
        default -> throw new IllegalArgumentException("unknown flag " + arg);
      }
    }
    return new Options(only, kills, outageMs, fuzz, crowd, seed, killItems, finishBoundMs);
  }

  private static int bounded(String value, int min, int max, String arg) {
    int n;
    try {
      n = Integer.parseInt(value.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number: " + arg, e);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(arg + " must be from " + min + " to " + max);
    }
    return n;
  }
}
