package dev.sluice.batch;

import java.util.Locale;
import java.util.Optional;

/** The life-cycle state of a batch; the wire form is the lower-case name. */
public enum BatchStatus {
  RUNNING,
  PAUSED,
  COMPLETED,
  CANCELLED,
  FAILED,
  /** Its deadline passed before every item ran: what was not started never will be. */
  EXPIRED;

  /** Whether no pause, resume or cancel can change this state any more. */
  public boolean isTerminal() {
    return this == COMPLETED || this == CANCELLED || this == FAILED || this == EXPIRED;
  }

  /**
   * Whether items still pending will never run: a cancelled or expired batch lets the items in
   * flight finish, and a retryable failure of one of them ends the item instead of requeuing it.
   */
  public boolean dropsPending() {
    return this == CANCELLED || this == EXPIRED;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<BatchStatus> parse(String wire) {
    for (BatchStatus s : values()) {
      if (s.wire().equals(wire)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
