package dev.sluice.batch;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** How one attempt at an item ended. */
public sealed interface ItemOutcome {

  /** The generator answered. */
  record Succeeded() implements ItemOutcome {}

  /**
   * The generator failed; {@code retryable} failures are tried again while attempts remain, after
   * {@code retryAfter} when the provider named a delay.
   */
  record Failed(boolean retryable, @Nullable Duration retryAfter) implements ItemOutcome {}
}
