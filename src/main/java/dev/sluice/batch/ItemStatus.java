package dev.sluice.batch;

import java.util.Locale;
import java.util.Optional;

/** The life-cycle state of one item of a batch; the wire form is the lower-case name. */
public enum ItemStatus {
  PENDING,
  IN_PROGRESS,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  /** Whether the item has reached an outcome that only retry-failed can reopen. */
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ItemStatus> parse(String wire) {
    for (ItemStatus s : values()) {
      if (s.wire().equals(wire)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
