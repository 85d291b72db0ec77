package dev.sluice.batch;

import static dev.sluice.batch.BatchStatus.COMPLETED;
import static dev.sluice.batch.BatchStatus.FAILED;
import static dev.sluice.batch.BatchStatus.PAUSED;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import dev.sluice.batch.HistoryAction.Command;
import dev.sluice.batch.HistoryAction.CrashAndRecover;
import dev.sluice.batch.HistoryAction.DispatchAll;
import dev.sluice.batch.HistoryAction.FinishIfDone;
import dev.sluice.batch.HistoryAction.Outcome;
import dev.sluice.batch.HistoryAction.Settle;
import dev.sluice.batch.HistoryAction.TimerFires;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;

/**
 * A batch and, beside it, the status of each of its items as the test tracks them from the
 * machine's answers; every step checks the two against each other and against docs/architecture.md
 * §2.
 */
final class BatchModel {

  private static final RetryPolicy POLICY =
      new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5));

  BatchSnapshot batch;
  private final ItemStatus[] items;
  private final int[] attempts;

  /** Pending, but its retry timer has not fired yet, so the runtime would not dispatch it. */
  private final boolean[] waiting;

  BatchModel(int size, int concurrency, int maxAttempts) {
    batch = BatchSnapshot.started(UUID.randomUUID(), size, concurrency, maxAttempts);
    items = new ItemStatus[size];
    Arrays.fill(items, ItemStatus.PENDING);
    attempts = new int[size];
    waiting = new boolean[size];
    assertThat(batch.version()).isEqualTo(1);
    checkInvariants("start");
  }

  void apply(HistoryAction action) {
    BatchSnapshot before = batch;
    boolean changed;
    if (action instanceof Command c) {
      changed = command(c.kind());
    } else if (action instanceof DispatchAll) {
      changed = dispatchAll();
    } else if (action instanceof Settle s) {
      changed = settle(s);
    } else if (action instanceof CrashAndRecover) {
      changed = recover();
    } else if (action instanceof TimerFires t) {
      fireTimer(t.pick());
      changed = false;
    } else if (action instanceof FinishIfDone) {
      changed = finishIfDone();
    } else {
      throw new AssertionError("unknown action " + action);
    }
    long expectedVersion = changed ? before.version() + 1 : before.version();
    assertThat(batch.version()).as("revision after %s", action).isEqualTo(expectedVersion);
    assertThat(changed || batch.equals(before)).as("unchanged after %s", action).isTrue();
    assertStatusChangeAllowed(before.status(), action);
    checkInvariants(action.toString());
  }

  /** Resumes if paused, then dispatches and settles with success until nothing is in flight. */
  void drain() {
    int rounds = 0;
    while (!batch.status().isTerminal() || count(ItemStatus.IN_PROGRESS) > 0) {
      assertThat(++rounds).as("draining terminates").isLessThan(2 * items.length + 5);
      Arrays.fill(waiting, false);
      if (batch.status() == PAUSED) {
        apply(new Command(CommandOracle.RESUME));
      }
      apply(new DispatchAll());
      while (count(ItemStatus.IN_PROGRESS) > 0) {
        apply(new Settle(0, Outcome.SUCCESS, null));
      }
      apply(new FinishIfDone());
    }
  }

  void assertFinished() {
    Statistics.label("final status").collect(batch.status());
    assertThat(batch.status().isTerminal()).as("final status %s", batch.status()).isTrue();
    assertThat(count(ItemStatus.IN_PROGRESS)).isZero();
    if (batch.status() == FAILED) {
      // Fail leaves pending items pending, and a failed batch never dispatches: they stay
      // pending until retry-failed, which needs a failed item. Only a failed batch may hold them.
      assertThat(items).allMatch(i -> i.isFinal() || i == ItemStatus.PENDING);
      return;
    }
    assertThat(items).allMatch(ItemStatus::isFinal);
    Counts c = batch.counts();
    assertThat(c.succeeded() + c.failed() + c.cancelled()).isEqualTo(c.total());
  }

  private boolean command(CommandOracle kind) {
    BatchStatus from = batch.status();
    Optional<BatchStatus> expected = kind.next(from, count(ItemStatus.FAILED));
    Decision decision = BatchMachine.decide(batch, kind.command());
    if (kind != CommandOracle.FAIL && kind != CommandOracle.EXPIRE) {
      assertThat(BatchMachine.allows(batch, kind.command().wire()))
          .as("allows %s when %s", kind, from)
          .isEqualTo(expected.isPresent());
    }
    if (expected.isEmpty()) {
      assertThat(decision).as("%s when %s", kind, from).isInstanceOf(Rejected.class);
      assertThat(((Rejected) decision).current()).isEqualTo(from);
      return false;
    }
    assertThat(decision).as("%s when %s", kind, from).isInstanceOf(Accepted.class);
    Accepted accepted = (Accepted) decision;
    assertThat(accepted.next().status()).isEqualTo(expected.get());
    assertThat(accepted.transition().from()).isEqualTo(from);
    assertThat(accepted.transition().to()).isEqualTo(expected.get());
    assertThat(accepted.effects()).isEqualTo(kind.effects(from));
    if (kind == CommandOracle.CANCEL || kind == CommandOracle.EXPIRE) {
      move(ItemStatus.PENDING, ItemStatus.CANCELLED);
    } else if (kind == CommandOracle.RETRY_FAILED) {
      move(ItemStatus.FAILED, ItemStatus.PENDING);
    }
    batch = accepted.next();
    return true;
  }

  private boolean dispatchAll() {
    int slots = BatchMachine.slots(batch);
    if (batch.status() == RUNNING) {
      Counts c = batch.counts();
      assertThat(slots).isBetween(0, Math.min(batch.concurrency() - c.inProgress(), c.pending()));
      if (c.pending() > 0 && c.inProgress() < batch.concurrency()) {
        assertThat(slots).as("a running batch with room dispatches").isPositive();
      }
      BatchSnapshot now = batch;
      assertThatThrownBy(() -> BatchMachine.dispatched(now, slots + 1))
          .isInstanceOf(IllegalStateException.class);
    }
    List<Integer> ready = indices(i -> items[i] == ItemStatus.PENDING && !waiting[i]);
    int n = Math.min(slots, ready.size());
    if (n == 0) {
      return false;
    }
    batch = BatchMachine.dispatched(batch, n);
    ready.subList(0, n).forEach(i -> items[i] = ItemStatus.IN_PROGRESS);
    return true;
  }

  private boolean settle(Settle action) {
    List<Integer> inFlight = indices(i -> items[i] == ItemStatus.IN_PROGRESS);
    ItemOutcome outcome =
        switch (action.outcome()) {
          case SUCCESS -> new ItemOutcome.Succeeded();
          case RETRYABLE -> new ItemOutcome.Failed(true, action.retryAfter());
          case FATAL -> new ItemOutcome.Failed(false, action.retryAfter());
        };
    if (inFlight.isEmpty()) {
      BatchSnapshot now = batch;
      assertThatThrownBy(() -> BatchMachine.settle(now, 0, 0, outcome, POLICY))
          .isInstanceOf(IllegalStateException.class);
      return false;
    }
    int item = inFlight.get(action.pick() % inFlight.size());
    int attempt = attempts[item] + 1;
    Settlement s = BatchMachine.settle(batch, item, attempts[item], outcome, POLICY);

    ItemStatus expected = expectedItemStatus(action.outcome(), attempt);
    assertThat(s.itemStatus()).as("item after %s", action).isEqualTo(expected);
    assertThat(s.attempts()).isEqualTo(attempt);
    assertThat(s.afterCancel()).isEqualTo(batch.status().dropsPending());
    assertThat(s.retryDelay())
        .isEqualTo(
            expected == ItemStatus.PENDING
                ? longer(action.retryAfter(), POLICY.delay(attempt, item))
                : null);
    assertThat(s.next().status()).isEqualTo(batch.status());
    items[item] = s.itemStatus();
    attempts[item] = s.attempts();
    waiting[item] = s.itemStatus() == ItemStatus.PENDING;
    batch = s.next();
    return true;
  }

  private ItemStatus expectedItemStatus(Outcome outcome, int attempt) {
    return switch (outcome) {
      case SUCCESS -> ItemStatus.SUCCEEDED;
      case FATAL -> ItemStatus.FAILED;
      case RETRYABLE ->
          attempt >= batch.maxAttempts()
              ? ItemStatus.FAILED
              : batch.status().dropsPending() ? ItemStatus.CANCELLED : ItemStatus.PENDING;
    };
  }

  private static Duration longer(@Nullable Duration retryAfter, Duration backoff) {
    return retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
  }

  /**
   * A crash loses the attempts in flight without counting them; the items run again (or end
   * cancelled in a cancelled batch), as recovery stores them (docs/architecture.md §4).
   */
  private boolean recover() {
    int lost = count(ItemStatus.IN_PROGRESS);
    if (lost == 0) {
      return false;
    }
    ItemStatus to = batch.status().dropsPending() ? ItemStatus.CANCELLED : ItemStatus.PENDING;
    move(ItemStatus.IN_PROGRESS, to);
    batch = batch.withCounts(batch.counts().move(ItemStatus.IN_PROGRESS, to, lost));
    return true;
  }

  private void fireTimer(int pick) {
    List<Integer> sleeping = indices(i -> waiting[i]);
    if (!sleeping.isEmpty()) {
      waiting[sleeping.get(pick % sleeping.size())] = false;
    }
  }

  private boolean finishIfDone() {
    boolean done =
        batch.status() == RUNNING
            && count(ItemStatus.PENDING) == 0
            && count(ItemStatus.IN_PROGRESS) == 0;
    Accepted accepted = BatchMachine.finishIfDone(batch);
    if (!done) {
      assertThat(accepted).as("completion of a %s batch", batch.status()).isNull();
      return false;
    }
    assertThat(accepted).as("completion of a settled running batch").isNotNull();
    assertThat(accepted.next().status()).isEqualTo(COMPLETED);
    assertThat(accepted.next().counts()).isEqualTo(batch.counts());
    assertThat(accepted.transition())
        .isEqualTo(new Transition(RUNNING, COMPLETED, BatchMachine.SYSTEM, null));
    batch = accepted.next();
    return true;
  }

  /**
   * States change only through their own command, or by completion of a running batch; ended
   * batches change only through retry-failed.
   */
  private void assertStatusChangeAllowed(BatchStatus from, HistoryAction action) {
    BatchStatus to = batch.status();
    if (from == to) {
      return;
    }
    boolean allowed;
    if (action instanceof Command c) {
      // Some failed item assumed: the question is whether this command can make this move.
      allowed = c.kind().next(from, 1).filter(to::equals).isPresent();
    } else {
      allowed = action instanceof FinishIfDone && from == RUNNING && to == COMPLETED;
    }
    assertThat(allowed).as("%s → %s by %s", from, to, action).isTrue();
    if (from.isTerminal()) {
      assertThat(action).isEqualTo(new Command(CommandOracle.RETRY_FAILED));
    }
  }

  private void checkInvariants(String after) {
    Counts c = batch.counts();
    assertThat(c.pending() + c.inProgress() + c.succeeded() + c.failed() + c.cancelled())
        .as("counts add up after %s", after)
        .isEqualTo(c.total())
        .isEqualTo(items.length);
    Counts model =
        new Counts(
            items.length,
            count(ItemStatus.PENDING),
            count(ItemStatus.IN_PROGRESS),
            count(ItemStatus.SUCCEEDED),
            count(ItemStatus.FAILED),
            count(ItemStatus.CANCELLED));
    assertThat(c).as("counts match the items after %s", after).isEqualTo(model);
    assertThat(c.inProgress())
        .as("in flight after %s", after)
        .isLessThanOrEqualTo(batch.concurrency());
    if (batch.status() != RUNNING) {
      BatchSnapshot now = batch;
      assertThat(BatchMachine.slots(now)).as("slots when %s", now.status()).isZero();
      assertThatThrownBy(() -> BatchMachine.dispatched(now, 1))
          .as("dispatch when %s", now.status())
          .isInstanceOf(IllegalStateException.class);
    }
    if (batch.status() == COMPLETED) {
      assertThat(c.settled()).as("a completed batch has nothing left").isTrue();
    }
  }

  private void move(ItemStatus from, ItemStatus to) {
    for (int i = 0; i < items.length; i++) {
      if (items[i] == from) {
        items[i] = to;
        waiting[i] = false;
        if (from == ItemStatus.FAILED) {
          attempts[i] = 0;
        }
      }
    }
  }

  private int count(ItemStatus status) {
    return indices(i -> items[i] == status).size();
  }

  private List<Integer> indices(IntPredicate p) {
    return IntStream.range(0, items.length).filter(p).boxed().toList();
  }
}
