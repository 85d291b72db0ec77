package dev.sluice.batch;

import static dev.sluice.batch.BatchMachineFixtures.POLICY;
import static dev.sluice.batch.BatchMachineFixtures.accepted;
import static dev.sluice.batch.BatchMachineFixtures.command;
import static dev.sluice.batch.BatchMachineFixtures.snapshot;
import static dev.sluice.batch.BatchStatus.COMPLETED;
import static dev.sluice.batch.BatchStatus.PAUSED;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.batch.Decision.Accepted;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * When a batch completes by itself: a running batch once nothing is pending or in flight, a paused
 * one only after it is resumed.
 */
@DisplayName("The batch state machine: completion and recovery")
class BatchMachineCompletionTest {

  @Test
  @DisplayName("A running batch with nothing pending or in flight completes, by the system.")
  void runningSettledCompletes() {
    BatchSnapshot done = snapshot(RUNNING, new Counts(10, 0, 0, 8, 1, 1), 4, 3);

    Accepted accepted = BatchMachine.finishIfDone(done);

    assertThat(accepted).isNotNull();
    assertThat(accepted.next().status()).isEqualTo(COMPLETED);
    assertThat(accepted.next().counts()).isEqualTo(done.counts());
    assertThat(accepted.next().version()).isEqualTo(done.version() + 1);
    assertThat(accepted.transition())
        .isEqualTo(new Transition(RUNNING, COMPLETED, BatchMachine.SYSTEM, null));
    assertThat(accepted.effects()).isEmpty();
  }

  @Test
  @DisplayName("A running batch with work pending or in flight does not complete.")
  void runningWithWorkDoesNotComplete() {
    assertThat(BatchMachine.finishIfDone(snapshot(RUNNING, new Counts(3, 1, 0, 2, 0, 0), 4, 3)))
        .isNull();
    assertThat(BatchMachine.finishIfDone(snapshot(RUNNING, new Counts(3, 0, 1, 2, 0, 0), 4, 3)))
        .isNull();
  }

  @ParameterizedTest
  @EnumSource(names = {"PAUSED", "COMPLETED", "FAILED", "CANCELLED"})
  @DisplayName("Only a running batch can complete, however settled it is.")
  void onlyRunningCompletes(BatchStatus status) {
    assertThat(BatchMachine.finishIfDone(snapshot(status, new Counts(3, 0, 0, 2, 1, 0), 4, 3)))
        .isNull();
  }

  @Test
  @DisplayName("A paused batch whose last item finishes stays paused, and completes once resumed.")
  void pausedLastItemStaysPaused() {
    BatchSnapshot paused = snapshot(PAUSED, new Counts(3, 0, 1, 2, 0, 0), 4, 3);

    BatchSnapshot settled =
        BatchMachine.settle(paused, 0, 0, new ItemOutcome.Succeeded(), POLICY).next();

    assertThat(settled.status()).isEqualTo(PAUSED);
    assertThat(settled.counts().settled()).isTrue();
    assertThat(BatchMachine.finishIfDone(settled)).isNull();
    BatchSnapshot resumed = accepted(BatchMachine.decide(settled, command("resume"))).next();
    Accepted completed = BatchMachine.finishIfDone(resumed);
    assertThat(completed).isNotNull();
    assertThat(completed.next().status()).isEqualTo(COMPLETED);
  }
}
