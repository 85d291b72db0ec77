package dev.sluice.batch;

import static dev.sluice.batch.BatchStatus.CANCELLED;
import static dev.sluice.batch.BatchStatus.COMPLETED;
import static dev.sluice.batch.BatchStatus.EXPIRED;
import static dev.sluice.batch.BatchStatus.FAILED;
import static dev.sluice.batch.BatchStatus.PAUSED;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The batch state machine")
class BatchMachineTest {

  /** The commands a user may send, by wire name, as in docs/architecture.md §2. */
  static final List<String> USER_COMMANDS = List.of("pause", "resume", "cancel", "retry-failed");

  private static final RetryPolicy POLICY =
      new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(10));

  /**
   * One cell of the batch table in docs/architecture.md §2: the state, its failed items, a command,
   * the answer.
   */
  record Cell(BatchStatus from, int failed, String command, String expected) {
    @Override
    public String toString() {
      return from.wire() + " (failed=" + failed + ") + " + command + " → " + expected;
    }
  }

  private static Cell cell(BatchStatus from, int failed, String command, String expected) {
    return new Cell(from, failed, command, expected);
  }

  /**
   * docs/architecture.md §2, one row per cell; running, paused and cancelled batches have failed
   * items.
   */
  static final List<Cell> TABLE =
      List.of(
          cell(RUNNING, 2, "pause", "paused"),
          cell(RUNNING, 2, "resume", "409"),
          cell(RUNNING, 2, "cancel", "cancelled"),
          cell(RUNNING, 2, "retry-failed", "409"),
          cell(PAUSED, 2, "pause", "409"),
          cell(PAUSED, 2, "resume", "running"),
          cell(PAUSED, 2, "cancel", "cancelled"),
          cell(PAUSED, 2, "retry-failed", "409"),
          cell(COMPLETED, 2, "pause", "409"),
          cell(COMPLETED, 2, "resume", "409"),
          cell(COMPLETED, 2, "cancel", "409"),
          cell(COMPLETED, 2, "retry-failed", "running"),
          cell(COMPLETED, 0, "pause", "409"),
          cell(COMPLETED, 0, "resume", "409"),
          cell(COMPLETED, 0, "cancel", "409"),
          cell(COMPLETED, 0, "retry-failed", "409"),
          cell(FAILED, 2, "pause", "409"),
          cell(FAILED, 2, "resume", "409"),
          cell(FAILED, 2, "cancel", "409"),
          cell(FAILED, 2, "retry-failed", "running"),
          cell(FAILED, 0, "pause", "409"),
          cell(FAILED, 0, "resume", "409"),
          cell(FAILED, 0, "cancel", "409"),
          cell(FAILED, 0, "retry-failed", "409"),
          cell(CANCELLED, 2, "pause", "409"),
          cell(CANCELLED, 2, "resume", "409"),
          cell(CANCELLED, 2, "cancel", "409"),
          cell(CANCELLED, 2, "retry-failed", "409"),
          cell(EXPIRED, 2, "pause", "409"),
          cell(EXPIRED, 2, "resume", "409"),
          cell(EXPIRED, 2, "cancel", "409"),
          cell(EXPIRED, 2, "retry-failed", "running"),
          cell(EXPIRED, 0, "pause", "409"),
          cell(EXPIRED, 0, "resume", "409"),
          cell(EXPIRED, 0, "cancel", "409"),
          cell(EXPIRED, 0, "retry-failed", "409"));

  static Stream<Cell> table() {
    return TABLE.stream();
  }

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

  private static BatchCommand command(String wire) {
    BatchCommand command = BatchCommand.ofWire(wire, "alice", "because");
    assertThat(command).as("user command %s", wire).isNotNull();
    return command;
  }

  private static Accepted accepted(Decision decision) {
    assertThat(decision).isInstanceOf(Accepted.class);
    return (Accepted) decision;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  @DisplayName(
      "Every cell of the batch table gives the next state or a 409 naming the current one.")
  void tableCell(Cell cell) {
    BatchSnapshot before = batch(cell.from(), cell.failed());

    Decision decision = BatchMachine.decide(before, command(cell.command()));

    if (cell.expected().equals("409")) {
      assertThat(decision).isInstanceOf(Rejected.class);
      Rejected rejected = (Rejected) decision;
      assertThat(rejected.current()).isEqualTo(cell.from());
      assertThat(rejected.command()).isEqualTo(cell.command());
      assertThat(rejected.detail()).isNotBlank();
    } else {
      BatchStatus to = BatchStatus.parse(cell.expected()).orElseThrow();
      Accepted accepted = accepted(decision);
      assertThat(accepted.next().status()).isEqualTo(to);
      assertThat(accepted.next().version()).isEqualTo(before.version() + 1);
      assertThat(accepted.next().id()).isEqualTo(before.id());
      assertThat(accepted.transition())
          .isEqualTo(new Transition(cell.from(), to, "alice", "because"));
    }
  }

  @Test
  @DisplayName(
      "The table has a row for every batch state and user command, and for both failed cases.")
  void tableCoversEveryStateAndCommand() {
    Set<String> rows = new HashSet<>();
    for (Cell c : TABLE) {
      assertThat(rows.add(c.from() + "/" + (c.failed() > 0) + "/" + c.command()))
          .as("duplicate row %s", c)
          .isTrue();
    }
    for (BatchStatus status : BatchStatus.values()) {
      for (String command : USER_COMMANDS) {
        assertThat(rows).as("%s × %s", status, command).contains(status + "/true/" + command);
        if (status == COMPLETED || status == FAILED || status == EXPIRED) {
          assertThat(rows)
              .as("%s × %s, none failed", status, command)
              .contains(status + "/false/" + command);
        }
      }
    }
    assertThat(USER_COMMANDS)
        .allSatisfy(c -> assertThat(BatchCommand.ofWire(c, "a", null)).isNotNull());
    assertThat(BatchCommand.ofWire("fail", "a", null)).as("fail is not a user command").isNull();
  }

  @Nested
  @DisplayName("Commands")
  class Commands {

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
      assertThat(accepted.transition())
          .isEqualTo(new Transition(from, FAILED, "system", "bad key"));
    }

    @ParameterizedTest
    @EnumSource(names = {"RUNNING", "PAUSED"})
    @DisplayName(
        "Expire ends a live batch as expired: pending items are cancelled, items in flight finish.")
    void expireEndsLiveBatch(BatchStatus from) {
      BatchSnapshot before = snapshot(from, new Counts(12, 5, 3, 2, 1, 1), 4, 3);

      Accepted accepted =
          accepted(
              BatchMachine.decide(before, new BatchCommand.Expire("system", "deadline_passed")));

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
    @DisplayName(
        "Retry-failed of an expired batch requeues its failed items and lifts the deadline.")
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
      Decision decision =
          BatchMachine.decide(batch(from, 1), new BatchCommand.Fail("system", null));

      assertThat(decision).isInstanceOf(Rejected.class);
      assertThat(((Rejected) decision).current()).isEqualTo(from);
      assertThat(((Rejected) decision).command()).isEqualTo("fail");
    }

    @ParameterizedTest
    @EnumSource(names = {"RUNNING", "PAUSED"})
    @DisplayName(
        "Cancel moves every pending item to cancelled, leaves items in flight, and says so.")
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

  @Nested
  @DisplayName("Dispatch")
  class Dispatch {

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

  @Nested
  @DisplayName("Settling an attempt")
  class Settle {

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

  @Nested
  @DisplayName("Completion and recovery")
  class CompletionAndRecovery {

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
    @DisplayName(
        "A paused batch whose last item finishes stays paused, and completes once resumed.")
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

  @Nested
  @DisplayName("The retry policy")
  class Backoff {

    private final RetryPolicy policy =
        new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5));

    private void assertWithinJitter(Duration delay, long rawMillis) {
      assertThat(delay.toMillis())
          .isBetween((long) Math.floor(rawMillis * 0.8), (long) Math.ceil(rawMillis * 1.2));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 41, 1_000_003})
    @DisplayName(
        "Delays double with each attempt, within a jitter of 20% either way, until the cap.")
    void exponentialWithJitter(int seq) {
      long raw = 100;
      for (int attempt = 1; attempt <= 6; attempt++, raw *= 2) {
        assertWithinJitter(policy.delay(attempt, seq), raw);
        assertThat(policy.delay(attempt + 1, seq)).isGreaterThan(policy.delay(attempt, seq));
      }
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 8, 20, 21, 63, 64, 1_000})
    @DisplayName("Delays stop growing at the cap, however many attempts were made.")
    void capped(int attempt) {
      IntStream.range(0, 50).forEach(seq -> assertWithinJitter(policy.delay(attempt, seq), 5_000));
    }

    @Test
    @DisplayName("The same item and attempt always give the same delay, and items differ.")
    void deterministic() {
      Set<Duration> distinct = new HashSet<>();
      for (int seq = 0; seq < 100; seq++) {
        Duration first = policy.delay(3, seq);
        assertThat(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5)).delay(3, seq))
            .isEqualTo(first);
        distinct.add(first);
      }
      assertThat(distinct).as("jitter spreads the items").hasSizeGreaterThan(20);
    }

    @Test
    @DisplayName("A policy whose base exceeds its cap, or is negative, is refused.")
    void invalid() {
      assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new RetryPolicy(Duration.ofMillis(-1), Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
