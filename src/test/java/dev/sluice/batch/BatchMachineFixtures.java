package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.batch.Decision.Accepted;
import java.time.Duration;
import java.util.UUID;

/**
 * Batches in each state, the users' commands, and the retry policy that the tests of {@link
 * BatchMachine} share.
 */
final class BatchMachineFixtures {

  static final RetryPolicy POLICY = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(10));

  private BatchMachineFixtures() {}

  /** A batch of ten items in the given state, with counts that state can have. */
  static BatchSnapshot batch(BatchStatus status, int failed) {
    Counts counts =
        switch (status) {
          case RUNNING, PAUSED -> new Counts(10, 4, 2, 4 - failed, failed, 0);
          case COMPLETED, FAILED -> new Counts(10, 0, 0, 10 - failed, failed, 0);
          case CANCELLED, EXPIRED -> new Counts(10, 0, 0, 6 - failed, failed, 4);
        };
    return snapshot(status, counts, 4, 3);
  }

  static BatchSnapshot snapshot(BatchStatus status, Counts counts, int concurrency, int attempts) {
    return new BatchSnapshot(UUID.randomUUID(), status, null, counts, concurrency, attempts, 7);
  }

  /** The user command with this wire name, sent by alice "because". */
  static BatchCommand command(String wire) {
    BatchCommand command = BatchCommand.ofWire(wire, "alice", "because");
    assertThat(command).as("user command %s", wire).isNotNull();
    return command;
  }

  static Accepted accepted(Decision decision) {
    assertThat(decision).isInstanceOf(Accepted.class);
    return (Accepted) decision;
  }
}
