package dev.sluice.batch;

import org.jspecify.annotations.Nullable;

/**
 * What one runner knows of its batch right now, shared by its parts on the runner's context: the
 * snapshot (ahead of the stored one by what the commit in flight carries, and by dispatches not yet
 * marked), the stored revision and token total, the control queue, and the runner's phase.
 */
final class RunnerState {

  final ControlQueue controls = new ControlQueue();

  /** The batch's settings, read once from its row. */
  final BatchConfig config;

  /**
   * When the batch expires, in epoch milliseconds, or null: no deadline, or one lifted by a
   * retry-failed after the batch expired.
   */
  @Nullable Long deadlineMillis;

  BatchSnapshot snapshot;
  long storedVersion;
  TokenUsage tokens;
  boolean writing;

  /**
   * A commit that changes the batch's status is in flight: nothing dispatches until it is stored.
   */
  boolean holdDispatch;

  boolean stopped;
  boolean lost;

  /** The node is shutting down: items in flight finish, nothing new is dispatched. */
  boolean draining;

  /**
   * The batch is owned elsewhere now: set at once from the thread that learnt it, before the runner
   * stops on its own context, so nothing is dispatched in between.
   */
  volatile boolean fenced;

  RunnerState(BatchRecord record) {
    this.config = record.batchConfig();
    this.snapshot = record.snapshot(config);
    this.storedVersion = record.version();
    this.tokens = record.usage();
    this.deadlineMillis = config.deadline() == null ? null : config.deadline().toEpochMilli();
  }

  /** Whether the deadline has passed while the batch still runs or waits paused. */
  boolean deadlinePassed(long nowMillis) {
    BatchStatus status = snapshot.status();
    return deadlineMillis != null
        && nowMillis >= deadlineMillis
        && (status == BatchStatus.RUNNING || status == BatchStatus.PAUSED);
  }

  /** The batch completes, or its deadline has passed: the next commit ends or expires it. */
  boolean endsNow() {
    return BatchMachine.finishIfDone(snapshot) != null
        || deadlinePassed(System.currentTimeMillis());
  }

  /**
   * The answer to a command that reaches the runner after it ended: a finished batch's state is
   * stored, so a refusal is answered here; anything else by the stored state, through the caller.
   */
  ControlResult afterEnd(BatchCommand command) {
    if (lost) {
      return ControlQueue.RECOVERING;
    }
    return BatchMachine.decide(snapshot, command) instanceof Decision.Rejected r
        ? ControlQueue.refused(r)
        : new ControlResult.Ended();
  }

  /**
   * Nothing is dispatched while a control waits, before a change of status is stored, while the
   * node hands its batches over, or once the deadline has passed.
   */
  boolean mayDispatch() {
    return !stopped
        && !fenced
        && controls.isEmpty()
        && !holdDispatch
        && !draining
        && !deadlinePassed(System.currentTimeMillis());
  }
}
