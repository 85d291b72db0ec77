package dev.sluice.generate;

/**
 * The simulated generator's mean latency, failure rate and seed, and how far latency spreads around
 * its mean: an attempt takes {@code mean × ((1 − spread) + spread × E)} with E exponential of mean
 * 1, so spread 0 is exactly the mean every time, 1 is fully exponential, and the default 0.5 never
 * goes below half the mean but has a long tail.
 */
public record SimulatedSettings(
    int latencyMs, double failureRate, long seed, double latencySpread) {

  /** The spread Sluice has always used. */
  public static final double DEFAULT_SPREAD = 0.5;

  public SimulatedSettings {
    if (!(latencySpread >= 0 && latencySpread <= 1)) {
      throw new IllegalArgumentException("latencySpread must be from 0 to 1");
    }
  }

  public SimulatedSettings(int latencyMs, double failureRate, long seed) {
    this(latencyMs, failureRate, seed, DEFAULT_SPREAD);
  }
}
