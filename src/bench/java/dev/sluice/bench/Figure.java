package dev.sluice.bench;

import java.util.Locale;

/**
 * One figure of the benchmark's summary; target 0 with higherIsBetter means "no target, for the
 * record".
 */
record Figure(
    String name, double value, String unit, double target, boolean higherIsBetter, String detail) {

  boolean hasTarget() {
    return target > 0 || !higherIsBetter;
  }

  boolean pass() {
    return higherIsBetter ? value >= target : value <= target;
  }

  /** The value with its unit, as the summary prints it. */
  String value(Locale l) {
    String format =
        switch (unit) {
          case "items/s" -> "%,.0f %s";
          case "items" -> "%.0f %s";
          case "×" -> "%.3f%s";
          default -> "%.2f %s";
        };
    return String.format(l, format, value, unit);
  }

  /** The target, the ratio to it and PASS or MISS; or that there is no target. */
  String verdict(Locale l) {
    if (!hasTarget()) {
      return "(no target)";
    }
    String bound = String.format(l, "%s %s %s", higherIsBetter ? "≥" : "≤", trim(l, target), unit);
    String ratio = target == 0 ? "" : String.format(l, ", ratio %.2f", value / target);
    return "target " + bound + ratio + ": " + (pass() ? "PASS" : "MISS");
  }

  private static String trim(Locale l, double d) {
    return d == Math.rint(d) ? String.format(l, "%,.0f", d) : String.format(l, "%s", d);
  }
}
