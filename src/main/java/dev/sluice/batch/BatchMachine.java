package dev.sluice.batch;

import dev.sluice.batch.BatchCommand.Cancel;
import dev.sluice.batch.BatchCommand.Expire;
import dev.sluice.batch.BatchCommand.Fail;
import dev.sluice.batch.BatchCommand.Pause;
import dev.sluice.batch.BatchCommand.Resume;
import dev.sluice.batch.BatchCommand.RetryFailed;
import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import dev.sluice.batch.ItemOutcome.Failed;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The batch state machine of docs/architecture.md §2, as pure functions from a snapshot and an
 * input to the next snapshot. It does no I/O and keeps no state. The runtime stores every change of
 * status it returns before acting on it (answering a control, or dispatching under the new status);
 * dispatches and settled attempts are stored by the next group commit, and an item counts as
 * finished only then (docs/architecture.md §3).
 */
public final class BatchMachine {

  /** The actor Sluice writes for transitions it makes itself. */
  public static final String SYSTEM = "system";

  private BatchMachine() {}

  /** Answers a control command: every state × command pair is decided here and nowhere else. */
  public static Decision decide(BatchSnapshot s, BatchCommand command) {
    BatchStatus status = s.status();
    if (command instanceof Pause) {
      return status == BatchStatus.RUNNING
          ? move(s, BatchStatus.PAUSED, command, s.counts(), List.of())
          : reject(
              s, command, status == BatchStatus.PAUSED ? "The batch is already paused." : null);
    }
    if (command instanceof Resume) {
      return status == BatchStatus.PAUSED
          ? move(s, BatchStatus.RUNNING, command, s.counts(), List.of())
          : reject(
              s, command, status == BatchStatus.RUNNING ? "The batch is already running." : null);
    }
    if (command instanceof RetryFailed) {
      return retryFailed(s, command);
    }
    if (status.isTerminal()) {
      return reject(s, command, null);
    }
    if (command instanceof Cancel) {
      return move(s, BatchStatus.CANCELLED, command, cancelPending(s.counts()), cancelEffects());
    }
    if (command instanceof Fail) {
      return move(s, BatchStatus.FAILED, command, s.counts(), List.of());
    }
    if (command instanceof Expire) {
      return move(s, BatchStatus.EXPIRED, command, cancelPending(s.counts()), cancelEffects());
    }
    throw new IllegalArgumentException("unknown command " + command);
  }

  /** Which user commands {@link #decide} would accept now, by wire name. */
  public static boolean allows(BatchSnapshot s, String wire) {
    BatchCommand probe = BatchCommand.ofWire(wire, SYSTEM, null);
    return probe != null && decide(s, probe) instanceof Accepted;
  }

  /** How many more items may be dispatched now: none unless running, never past concurrency. */
  public static int slots(BatchSnapshot s) {
    return slots(s, 0);
  }

  /**
   * How many more items may be dispatched now, when {@code answered} of the items in progress have
   * their answer in memory already: those wait for their group commit (and count as in progress
   * until it) but no longer hold a slot. None unless running; never more generating than the
   * concurrency.
   */
  public static int slots(BatchSnapshot s, int answered) {
    if (s.status() != BatchStatus.RUNNING) {
      return 0;
    }
    Counts c = s.counts();
    int generating = c.inProgress() - Math.max(0, Math.min(answered, c.inProgress()));
    return Math.max(0, Math.min(s.concurrency() - generating, c.pending()));
  }

  /** Records that {@code n} pending items were handed to the generator. */
  public static BatchSnapshot dispatched(BatchSnapshot s, int n) {
    return dispatched(s, n, 0);
  }

  /**
   * As {@link #dispatched(BatchSnapshot, int)}, with {@code answered} answers waiting to be stored.
   */
  public static BatchSnapshot dispatched(BatchSnapshot s, int n, int answered) {
    if (n < 0 || n > slots(s, answered)) {
      throw new IllegalStateException(
          "cannot dispatch " + n + " items of batch " + s.id() + " in state " + s.status().wire());
    }
    return n == 0
        ? s
        : s.withCounts(s.counts().move(ItemStatus.PENDING, ItemStatus.IN_PROGRESS, n));
  }

  /**
   * Settles one attempt of an item that was in progress. Retryable failures go back to pending
   * while attempts remain (unless the batch was cancelled meanwhile, which cancels the item).
   */
  public static Settlement settle(
      BatchSnapshot s, int seq, int attemptsBefore, ItemOutcome outcome, RetryPolicy policy) {
    if (s.counts().inProgress() == 0) {
      throw new IllegalStateException("batch " + s.id() + " has no item in progress to settle");
    }
    int attempts = attemptsBefore + 1;
    boolean cancelled = s.status().dropsPending();
    ItemStatus to = ItemStatus.SUCCEEDED;
    Duration delay = null;
    if (outcome instanceof Failed f) {
      if (f.retryable() && attempts < s.maxAttempts()) {
        to = cancelled ? ItemStatus.CANCELLED : ItemStatus.PENDING;
        delay = cancelled ? null : retryDelay(f.retryAfter(), policy.delay(attempts, seq));
      } else {
        to = ItemStatus.FAILED;
      }
    }
    BatchSnapshot next = s.withCounts(s.counts().move(ItemStatus.IN_PROGRESS, to, 1));
    return new Settlement(next, to, attempts, delay, cancelled);
  }

  /** The completion a running batch makes once nothing is pending or in flight, if any. */
  public static @Nullable Accepted finishIfDone(BatchSnapshot s) {
    if (s.status() != BatchStatus.RUNNING || !s.counts().settled()) {
      return null;
    }
    BatchSnapshot next = s.withStatus(BatchStatus.COMPLETED, null, s.counts());
    return new Accepted(
        next, new Transition(s.status(), BatchStatus.COMPLETED, SYSTEM, null), List.of());
  }

  private static Decision retryFailed(BatchSnapshot s, BatchCommand r) {
    BatchStatus status = s.status();
    if (status != BatchStatus.COMPLETED
        && status != BatchStatus.FAILED
        && status != BatchStatus.EXPIRED) {
      String why =
          status == BatchStatus.CANCELLED
              ? "A cancelled batch cannot be retried."
              : "Failed items can be retried once the batch has completed, failed or expired; it"
                  + " is "
                  + status.wire()
                  + ".";
      return new Rejected(status, r.wire(), why);
    }
    int failed = s.counts().failed();
    if (failed == 0) {
      return new Rejected(status, r.wire(), "The batch has no failed items to retry.");
    }
    Counts next = s.counts().move(ItemStatus.FAILED, ItemStatus.PENDING, failed);
    List<Effect> effects =
        status == BatchStatus.EXPIRED
            ? List.of(Effect.REQUEUE_FAILED, Effect.LIFT_DEADLINE)
            : List.of(Effect.REQUEUE_FAILED);
    return move(s, BatchStatus.RUNNING, r, next, effects);
  }

  private static Accepted move(
      BatchSnapshot s, BatchStatus to, BatchCommand c, Counts counts, List<Effect> effects) {
    String statusReason = to == BatchStatus.RUNNING ? null : c.reason();
    BatchSnapshot next = s.withStatus(to, statusReason, counts);
    return new Accepted(next, new Transition(s.status(), to, c.actor(), c.reason()), effects);
  }

  private static Rejected reject(BatchSnapshot s, BatchCommand c, @Nullable String detail) {
    String why =
        detail != null
            ? detail
            : "A batch that is " + s.status().wire() + " cannot be asked to " + c.wire() + ".";
    return new Rejected(s.status(), c.wire(), why);
  }

  private static Counts cancelPending(Counts c) {
    return c.move(ItemStatus.PENDING, ItemStatus.CANCELLED, c.pending());
  }

  private static List<Effect> cancelEffects() {
    return List.of(Effect.CANCEL_PENDING);
  }

  private static Duration retryDelay(@Nullable Duration retryAfter, Duration backoff) {
    return retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
  }
}
