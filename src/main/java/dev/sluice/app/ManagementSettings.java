package dev.sluice.app;

/**
 * The management server, which serves {@code /metrics} (and the probes) apart from the API: its
 * address and port, or port -1 for none, when {@code /metrics} stays on the API port.
 */
public record ManagementSettings(String host, int port) {

  public boolean enabled() {
    return port >= 0;
  }
}
