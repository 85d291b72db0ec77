package dev.sluice.batch;

import static dev.sluice.batch.BatchMachineFixtures.snapshot;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How many items a batch may start at once (its slots), and what starting them does to its counts.
 */
@DisplayName("The batch state machine: dispatch")
class BatchMachineDispatchTest {

  @ParameterizedTest
  @EnumSource(names = {"PAUSED", "COMPLETED", "FAILED", "CANCELLED", "EXPIRED"})
  @DisplayName("A batch that is not running has no slots and refuses to dispatch.")
  void noSlotsUnlessRunning(BatchStatus status) {
    BatchSnapshot s = snapshot(status, new Counts(10, 6, 0, 2, 1, 1), 4, 3);

    assertThat(BatchMachine.slots(s)).isZero();
    assertThatThrownBy(() -> BatchMachine.dispatched(s, 1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("Slots never exceed the free concurrency nor the pending items, and use them all.")
  void slotsBounded() {
    for (int concurrency = 1; concurrency <= 5; concurrency++) {
      for (int inProgress = 0; inProgress <= concurrency; inProgress++) {
        for (int pending = 0; pending <= 6; pending++) {
          Counts counts = new Counts(pending + inProgress + 1, pending, inProgress, 1, 0, 0);
          int slots = BatchMachine.slots(snapshot(RUNNING, counts, concurrency, 3));

          assertThat(slots)
              .as("concurrency=%d inProgress=%d pending=%d", concurrency, inProgress, pending)
              .isEqualTo(Math.min(concurrency - inProgress, pending));
        }
      }
    }
  }

  @Test
  @DisplayName(
      "Dispatching moves items from pending to in progress, up to the slots and no further.")
  void dispatchedMovesItems() {
    BatchSnapshot s = snapshot(RUNNING, new Counts(10, 8, 1, 1, 0, 0), 4, 3);

    BatchSnapshot next = BatchMachine.dispatched(s, 3);

    assertThat(next.counts()).isEqualTo(new Counts(10, 5, 4, 1, 0, 0));
    assertThat(next.version()).isEqualTo(s.version() + 1);
    assertThat(BatchMachine.dispatched(s, 0)).isSameAs(s);
    assertThatThrownBy(() -> BatchMachine.dispatched(s, 4))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> BatchMachine.dispatched(s, -1))
        .isInstanceOf(IllegalStateException.class);
  }
}
