package dev.sluice.batch;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One thing that can happen to a batch in a random history: a command, a dispatch, an outcome, a
 * crash, a timer.
 */
sealed interface HistoryAction {

  record Command(CommandOracle kind) implements HistoryAction {}

  /** The runtime dispatches as many ready items as the slots allow. */
  record DispatchAll() implements HistoryAction {}

  /** The in-progress item at {@code pick} (modulo their number) finishes an attempt. */
  record Settle(int pick, Outcome outcome, @Nullable Duration retryAfter)
      implements HistoryAction {}

  record CrashAndRecover() implements HistoryAction {}

  /** The retry timer of the waiting item at {@code pick} (modulo their number) fires. */
  record TimerFires(int pick) implements HistoryAction {}

  record FinishIfDone() implements HistoryAction {}

  enum Outcome {
    SUCCESS,
    RETRYABLE,
    FATAL
  }
}
