package dev.sluice.batch;

/**
 * What one runner knows of its batch right now, shared by its parts on the runner's context: the
 * snapshot (ahead of the stored one by what the commit in flight carries, and by dispatches not yet
 * marked), the stored revision and token total, the control queue, and the runner's phase.
 */
final class RunnerState {

  final ControlQueue controls = new ControlQueue();

  /** The batch's settings, read once from its row. */
  final BatchConfig config;

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

  RunnerState(BatchRecord record) {
    this.config = record.batchConfig();
    this.snapshot = record.snapshot(config);
    this.storedVersion = record.version();
    this.tokens = record.usage();
  }

  /**
   * Nothing is dispatched while a control waits, before a change of status is stored, or while the
   * node hands its batches over.
   */
  boolean mayDispatch() {
    return !stopped && controls.isEmpty() && !holdDispatch && !draining;
  }
}
