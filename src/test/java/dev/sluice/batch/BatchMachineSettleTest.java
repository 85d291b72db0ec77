package dev.sluice.batch;

import static dev.sluice.batch.BatchMachineFixtures.POLICY;
import static dev.sluice.batch.BatchMachineFixtures.snapshot;
import static dev.sluice.batch.BatchStatus.CANCELLED;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How {@link BatchMachine} settles one attempt of an item: the item's next status, its attempts,
 * the delay before a retry, and the batch's counts, also once the batch was cancelled.
 */
@DisplayName("The batch state machine: settling an attempt")
class BatchMachineSettleTest {

  private final BatchSnapshot running = snapshot(RUNNING, new Counts(10, 5, 3, 2, 0, 0), 4, 3);

  private Settlement settle(BatchSnapshot s, int attemptsBefore, ItemOutcome outcome) {
    return BatchMachine.settle(s, 7, attemptsBefore, outcome, POLICY);
  }

  @Test
  @DisplayName("A success marks the item succeeded and counts the attempt.")
  void success() {
    Settlement s = settle(running, 0, new ItemOutcome.Succeeded());

    assertThat(s.itemStatus()).isEqualTo(ItemStatus.SUCCEEDED);
    assertThat(s.attempts()).isEqualTo(1);
    assertThat(s.retryDelay()).isNull();
    assertThat(s.afterCancel()).isFalse();
    assertThat(s.next().counts()).isEqualTo(new Counts(10, 5, 2, 3, 0, 0));
    assertThat(s.next().version()).isEqualTo(running.version() + 1);
  }

  @Test
  @DisplayName(
      "A retryable failure with attempts left sends the item back to pending after the backoff.")
  void retryableWithAttemptsLeft() {
    Settlement s = settle(running, 1, new ItemOutcome.Failed(true, null));

    assertThat(s.itemStatus()).isEqualTo(ItemStatus.PENDING);
    assertThat(s.attempts()).isEqualTo(2);
    assertThat(s.retryDelay()).isEqualTo(POLICY.delay(2, 7));
    assertThat(s.next().counts()).isEqualTo(new Counts(10, 6, 2, 2, 0, 0));
  }

  @Test
  @DisplayName("A retryable failure on the last attempt marks the item failed.")
  void retryableExhausted() {
    Settlement s = settle(running, 2, new ItemOutcome.Failed(true, Duration.ofSeconds(1)));

    assertThat(s.itemStatus()).isEqualTo(ItemStatus.FAILED);
    assertThat(s.attempts()).isEqualTo(3);
    assertThat(s.retryDelay()).isNull();
    assertThat(s.next().counts()).isEqualTo(new Counts(10, 5, 2, 2, 1, 0));
  }

  @Test
  @DisplayName("A non-retryable failure marks the item failed even with attempts left.")
  void nonRetryable() {
    Settlement s = settle(running, 0, new ItemOutcome.Failed(false, null));

    assertThat(s.itemStatus()).isEqualTo(ItemStatus.FAILED);
    assertThat(s.attempts()).isEqualTo(1);
    assertThat(s.retryDelay()).isNull();
  }

  @Test
  @DisplayName("A retryable failure after the batch was cancelled cancels the item instead.")
  void retryableAfterCancel() {
    BatchSnapshot cancelled = snapshot(CANCELLED, new Counts(10, 0, 3, 2, 0, 5), 4, 3);

    Settlement s = settle(cancelled, 0, new ItemOutcome.Failed(true, null));

    assertThat(s.itemStatus()).isEqualTo(ItemStatus.CANCELLED);
    assertThat(s.afterCancel()).isTrue();
    assertThat(s.retryDelay()).isNull();
    assertThat(s.next().status()).isEqualTo(CANCELLED);
    assertThat(s.next().counts()).isEqualTo(new Counts(10, 0, 2, 2, 0, 6));
  }

  @Test
  @DisplayName("A success after the batch was cancelled is kept.")
  void successAfterCancelKept() {
    BatchSnapshot cancelled = snapshot(CANCELLED, new Counts(10, 0, 3, 2, 0, 5), 4, 3);

    Settlement s = settle(cancelled, 0, new ItemOutcome.Succeeded());

    assertThat(s.itemStatus()).isEqualTo(ItemStatus.SUCCEEDED);
    assertThat(s.afterCancel()).isTrue();
  }

  @Test
  @DisplayName("A Retry-After longer than the backoff wins; a shorter one does not.")
  void retryAfterLongerWins() {
    Duration backoff = POLICY.delay(1, 7);

    Settlement longer = settle(running, 0, new ItemOutcome.Failed(true, Duration.ofMinutes(2)));
    Settlement shorter = settle(running, 0, new ItemOutcome.Failed(true, Duration.ofMillis(1)));

    assertThat(longer.retryDelay()).isEqualTo(Duration.ofMinutes(2));
    assertThat(shorter.retryDelay()).isEqualTo(backoff);
  }

  @Test
  @DisplayName("Settling is refused when no item is in progress.")
  void nothingInProgress() {
    BatchSnapshot idle = snapshot(RUNNING, new Counts(10, 5, 0, 5, 0, 0), 4, 3);

    assertThatThrownBy(() -> settle(idle, 0, new ItemOutcome.Succeeded()))
        .isInstanceOf(IllegalStateException.class);
  }
}
