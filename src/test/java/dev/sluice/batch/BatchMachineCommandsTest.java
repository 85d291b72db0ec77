package dev.sluice.batch;

import static dev.sluice.batch.BatchMachineFixtures.POLICY;
import static dev.sluice.batch.BatchMachineFixtures.accepted;
import static dev.sluice.batch.BatchMachineFixtures.batch;
import static dev.sluice.batch.BatchMachineFixtures.command;
import static dev.sluice.batch.BatchMachineFixtures.snapshot;
import static dev.sluice.batch.BatchStatus.EXPIRED;
import static dev.sluice.batch.BatchStatus.FAILED;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.batch.BatchMachineTest.Cell;
import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How {@link BatchMachine} answers each command that a user, or Sluice itself, sends a batch
 * (docs/architecture.md §2): the next state, its counts, reason and effects, or a refusal.
 */
@DisplayName("The batch state machine: commands")
class BatchMachineCommandsTest {

  @ParameterizedTest
  @EnumSource(names = {"RUNNING", "PAUSED"})
  @DisplayName("Fail ends a live batch as failed, keeping its counts and its reason.")
  void failEndsLiveBatch(BatchStatus from) {
    BatchSnapshot before = batch(from, 1);

    Accepted accepted =
        accepted(BatchMachine.decide(before, new BatchCommand.Fail("system", "bad key")));

    assertThat(accepted.next().status()).isEqualTo(FAILED);
    assertThat(accepted.next().statusReason()).isEqualTo("bad key");
    // Fail leaves pending items pending; only retry-failed (when some item failed) reopens them.
    assertThat(accepted.next().counts()).isEqualTo(before.counts());
    assertThat(accepted.effects()).isEmpty();
    assertThat(accepted.transition()).isEqualTo(new Transition(from, FAILED, "system", "bad key"));
  }

  @ParameterizedTest
  @EnumSource(names = {"RUNNING", "PAUSED"})
  @DisplayName(
      "Expire ends a live batch as expired: pending items are cancelled, items in flight finish.")
  void expireEndsLiveBatch(BatchStatus from) {
    BatchSnapshot before = snapshot(from, new Counts(12, 5, 3, 2, 1, 1), 4, 3);

    Accepted accepted =
        accepted(BatchMachine.decide(before, new BatchCommand.Expire("system", "deadline_passed")));

    assertThat(accepted.next().status()).isEqualTo(EXPIRED);
    assertThat(accepted.next().statusReason()).isEqualTo("deadline_passed");
    assertThat(accepted.next().counts()).isEqualTo(new Counts(12, 0, 3, 2, 1, 6));
    assertThat(accepted.effects()).containsExactly(Effect.CANCEL_PENDING);
    assertThat(accepted.transition())
        .isEqualTo(new Transition(from, EXPIRED, "system", "deadline_passed"));
    assertThat(BatchCommand.ofWire("expire", "a", null)).as("not a user command").isNull();
  }

  @ParameterizedTest
  @EnumSource(names = {"COMPLETED", "FAILED", "CANCELLED", "EXPIRED"})
  @DisplayName("Expire is rejected once the batch has ended.")
  void expireRejectedWhenTerminal(BatchStatus from) {
    Decision decision =
        BatchMachine.decide(batch(from, 1), new BatchCommand.Expire("system", null));

    assertThat(decision).isInstanceOf(Rejected.class);
    assertThat(((Rejected) decision).current()).isEqualTo(from);
  }

  @Test
  @DisplayName("Retry-failed of an expired batch requeues its failed items and lifts the deadline.")
  void retryFailedOfExpiredLiftsDeadline() {
    BatchSnapshot before = snapshot(EXPIRED, new Counts(10, 0, 0, 4, 2, 4), 4, 3);

    Accepted accepted = accepted(BatchMachine.decide(before, command("retry-failed")));

    assertThat(accepted.next().status()).isEqualTo(RUNNING);
    assertThat(accepted.next().counts()).isEqualTo(new Counts(10, 2, 0, 4, 0, 4));
    assertThat(accepted.effects()).containsExactly(Effect.REQUEUE_FAILED, Effect.LIFT_DEADLINE);
  }

  @Test
  @DisplayName("A retryable failure that settles after expiry ends the item as cancelled.")
  void retryableAfterExpiryCancels() {
    BatchSnapshot expired = snapshot(EXPIRED, new Counts(10, 0, 3, 2, 0, 5), 4, 3);

    Settlement s = BatchMachine.settle(expired, 4, 0, new ItemOutcome.Failed(true, null), POLICY);

    assertThat(s.itemStatus()).isEqualTo(ItemStatus.CANCELLED);
    assertThat(s.next().status()).isEqualTo(EXPIRED);
    assertThat(s.afterCancel()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(names = {"COMPLETED", "FAILED", "CANCELLED", "EXPIRED"})
  @DisplayName("Fail is rejected once the batch has ended.")
  void failRejectedWhenTerminal(BatchStatus from) {
    Decision decision = BatchMachine.decide(batch(from, 1), new BatchCommand.Fail("system", null));

    assertThat(decision).isInstanceOf(Rejected.class);
    assertThat(((Rejected) decision).current()).isEqualTo(from);
    assertThat(((Rejected) decision).command()).isEqualTo("fail");
  }

  @ParameterizedTest
  @EnumSource(names = {"RUNNING", "PAUSED"})
  @DisplayName("Cancel moves every pending item to cancelled, leaves items in flight, and says so.")
  void cancelMovesPending(BatchStatus from) {
    BatchSnapshot before = snapshot(from, new Counts(12, 5, 3, 2, 1, 1), 4, 3);

    Accepted accepted = accepted(BatchMachine.decide(before, command("cancel")));

    assertThat(accepted.next().counts()).isEqualTo(new Counts(12, 0, 3, 2, 1, 6));
    assertThat(accepted.effects()).containsExactly(Effect.CANCEL_PENDING);
    assertThat(accepted.next().statusReason()).isEqualTo("because");
  }

  @ParameterizedTest
  @EnumSource(names = {"COMPLETED", "FAILED"})
  @DisplayName("Retry-failed puts failed items back to pending, requeues them and dispatches.")
  void retryFailedRequeues(BatchStatus from) {
    BatchSnapshot before = snapshot(from, new Counts(10, 0, 0, 7, 3, 0), 4, 3);

    Accepted accepted = accepted(BatchMachine.decide(before, command("retry-failed")));

    assertThat(accepted.next().status()).isEqualTo(RUNNING);
    assertThat(accepted.next().statusReason()).isNull();
    assertThat(accepted.next().counts()).isEqualTo(new Counts(10, 3, 0, 7, 0, 0));
    assertThat(accepted.effects()).containsExactly(Effect.REQUEUE_FAILED);
  }

  @Test
  @DisplayName("Pause asks for no work and resume asks for dispatch.")
  void pauseAndResumeEffects() {
    Accepted paused = accepted(BatchMachine.decide(batch(RUNNING, 0), command("pause")));
    Accepted resumed = accepted(BatchMachine.decide(paused.next(), command("resume")));

    assertThat(paused.effects()).isEmpty();
    assertThat(paused.next().statusReason()).isEqualTo("because");
    assertThat(resumed.effects()).isEmpty();
    assertThat(resumed.next().statusReason()).isNull();
    assertThat(resumed.next().version()).isEqualTo(paused.next().version() + 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.sluice.batch.BatchMachineTest#table")
  @DisplayName("Allows answers exactly as decide would, for every cell of the table.")
  void allowsMatchesDecide(Cell cell) {
    BatchSnapshot s = batch(cell.from(), cell.failed());

    boolean decided = BatchMachine.decide(s, command(cell.command())) instanceof Accepted;

    assertThat(BatchMachine.allows(s, cell.command())).isEqualTo(decided);
    assertThat(BatchMachine.allows(s, "fail")).isFalse();
    assertThat(BatchMachine.allows(s, "explode")).isFalse();
  }
}
