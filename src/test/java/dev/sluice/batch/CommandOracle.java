package dev.sluice.batch;

import static dev.sluice.batch.BatchStatus.CANCELLED;
import static dev.sluice.batch.BatchStatus.COMPLETED;
import static dev.sluice.batch.BatchStatus.EXPIRED;
import static dev.sluice.batch.BatchStatus.FAILED;
import static dev.sluice.batch.BatchStatus.PAUSED;
import static dev.sluice.batch.BatchStatus.RUNNING;

import java.util.List;
import java.util.Optional;

/**
 * The commands, with what docs/architecture.md §2 says about each: the oracle for the machine's
 * answers.
 */
enum CommandOracle {
  PAUSE,
  RESUME,
  CANCEL,
  RETRY_FAILED,
  FAIL,
  EXPIRE;

  BatchCommand command() {
    return switch (this) {
      case PAUSE -> new BatchCommand.Pause("alice", "lunch");
      case RESUME -> new BatchCommand.Resume("alice", null);
      case CANCEL -> new BatchCommand.Cancel("bob", "wrong prompt");
      case RETRY_FAILED -> new BatchCommand.RetryFailed("bob", null);
      case FAIL -> new BatchCommand.Fail(BatchMachine.SYSTEM, "credentials rejected");
      case EXPIRE -> new BatchCommand.Expire(BatchMachine.SYSTEM, "deadline_passed");
    };
  }

  List<Effect> effects(BatchStatus from) {
    return switch (this) {
      case PAUSE, FAIL -> List.of();
      case RESUME -> List.of();
      case CANCEL, EXPIRE -> List.of(Effect.CANCEL_PENDING);
      case RETRY_FAILED ->
          from == EXPIRED
              ? List.of(Effect.REQUEUE_FAILED, Effect.LIFT_DEADLINE)
              : List.of(Effect.REQUEUE_FAILED);
    };
  }

  /** The state docs/architecture.md §2 leads to from {@code from}, or empty for a 409. */
  Optional<BatchStatus> next(BatchStatus from, int failedItems) {
    boolean live = from == RUNNING || from == PAUSED;
    boolean ended = from == COMPLETED || from == FAILED || from == EXPIRED;
    return switch (this) {
      case PAUSE -> from == RUNNING ? Optional.of(PAUSED) : Optional.empty();
      case RESUME -> from == PAUSED ? Optional.of(RUNNING) : Optional.empty();
      case CANCEL -> live ? Optional.of(CANCELLED) : Optional.empty();
      case FAIL -> live ? Optional.of(FAILED) : Optional.empty();
      case EXPIRE -> live ? Optional.of(EXPIRED) : Optional.empty();
      case RETRY_FAILED -> ended && failedItems > 0 ? Optional.of(RUNNING) : Optional.empty();
    };
  }
}
