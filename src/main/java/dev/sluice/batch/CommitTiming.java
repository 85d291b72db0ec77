package dev.sluice.batch;

/**
 * When a runner writes. What must not wait is written at once — queued controls, a fault of the
 * whole batch or a spent token budget, a full group of results, the last answers of the batch, the
 * batch's completion or its deadline — and the rest (results, in-progress marks) is left to the
 * flush timer, so results are stored in groups of up to {@code commit-max-delay-ms} rather than one
 * commit per wake-up. While a commit is in flight, only a full group of results, and nothing more
 * urgent, may follow it at once ({@link CommitsInFlight#mayFollow}).
 */
final class CommitTiming {

  private final RunnerState state;
  private final BatchSettings settings;

  CommitTiming(RunnerState state, BatchSettings settings) {
    this.state = state;
    this.settings = settings;
  }

  /** Whether the runner should write now rather than on the flush timer. */
  boolean dueNow(Dispatcher items) {
    return urgent(items) || fullGroup(items) || items.lastAnswersIn();
  }

  /** Whether a full group of results, and nothing else, waits to follow the commit in flight. */
  boolean mayFollow(CommitsInFlight commits, Dispatcher items) {
    return commits.mayFollow() && !urgent(items) && fullGroup(items);
  }

  /**
   * A control, a fault or spent budget, or the batch's end: written alone, never behind a group.
   */
  private boolean urgent(Dispatcher items) {
    return !state.controls.isEmpty() || items.mustCommitFirst() || state.endsNow();
  }

  private boolean fullGroup(Dispatcher items) {
    return items.finished().size() >= settings.commitMaxItems();
  }
}
