package dev.sluice.generate;

/** The simulated generator's mean latency, failure rate and seed. */
public record SimulatedSettings(int latencyMs, double failureRate, long seed) {}
