package dev.sluice.batch;

import dev.sluice.batch.BatchCommand.Fail;
import dev.sluice.batch.Decision.Accepted;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Plans a runner's next commit, with no side effects: given the snapshot, the queued controls and
 * the attempts that ended, it returns the {@link Commit} to write, the snapshot it stores, and the
 * answer each control gets once the commit is durable. This is where the runner's durability rule
 * lives (docs/architecture.md §3): a control is answered only after the commit that carries it, so
 * when a control waits the commit carries it alone, and results wait for the next commit (their
 * items count as finished then); items in flight for at least {@code commit-max-delay-ms} are
 * marked in progress by the next commit, whatever it carries, and the stored counts show the others
 * as pending, as their rows still say, so the stored counts always match the stored items.
 */
final class CommitPlanner {

  /** The reason recorded when a batch pauses because its token budget is spent. */
  static final String BUDGET_EXHAUSTED = "budget_exhausted";

  /** The reason recorded when a batch expires because its deadline passed. */
  static final String DEADLINE_PASSED = "deadline_passed";

  private CommitPlanner() {}

  /** What the runner knows when it plans a commit. */
  record Input(
      BatchSnapshot snapshot,
      long epoch,
      long persistedVersion,
      TokenUsage tokensBefore,
      @Nullable Long tokenBudget,
      @Nullable Long deadlineMillis,
      List<BatchCommand> controls,
      List<Finished> finished,
      List<Integer> dueMarks,
      Collection<Integer> unmarked,
      Collection<Integer> inFlight,
      int commitMaxItems,
      RetryPolicy retryPolicy,
      long nowMillis) {

    /**
     * The runner's view now, with the commands it takes into this commit, which follows the
     * revision {@code previousVersion} (the stored one, or that of a commit still in flight).
     */
    static Input of(
        RunnerState state,
        BatchRecord base,
        List<ControlQueue.Queued> taken,
        Dispatcher items,
        BatchSettings settings,
        long previousVersion) {
      return new Input(
          state.snapshot,
          base.epoch(),
          previousVersion,
          state.tokens,
          state.config.tokenBudget(),
          state.deadlineMillis,
          taken.stream().map(ControlQueue.Queued::command).toList(),
          items.finished(),
          items.dueMarks(),
          items.unmarked(),
          items.inFlight(),
          settings.commitMaxItems(),
          settings.retryPolicy(),
          System.currentTimeMillis());
    }
  }

  /**
   * The commit, and what follows once it is durable: one decision per queued control (in order),
   * how many of the ended attempts it settles (the first ones), and the items that go back to
   * waiting for a retry.
   */
  record Plan(
      Commit commit, List<Decision> decisions, int settledCount, List<PendingItem> retries) {

    BatchSnapshot next() {
      return commit.next();
    }

    /** Whether the commit changes the batch's status (and so must be stored before dispatching). */
    boolean moves() {
      return !commit.transitions().isEmpty();
    }
  }

  static Plan plan(Input in) {
    Draft d = new Draft(in.snapshot());
    boolean controlFirst = !in.controls().isEmpty();
    int settling = controlFirst ? 0 : Math.min(in.finished().size(), in.commitMaxItems());
    String fault = settle(d, in, in.finished().subList(0, settling));
    if (fault != null
        && BatchMachine.decide(d.next, new Fail(BatchMachine.SYSTEM, fault))
            instanceof Accepted a) {
      d.accept(a);
    }
    expireIfDue(d, in);
    pauseIfBudgetSpent(d, in);
    completeIfDone(d);
    List<Decision> decisions = decideControls(d, in.controls());
    Set<Integer> settledSeqs = new HashSet<>();
    d.settled.forEach(r -> settledSeqs.add(r.seq()));
    Marks marks = Marks.of(in, settledSeqs);
    Commit commit =
        new Commit(
            in.epoch(),
            in.persistedVersion(),
            d.next,
            marks.started(),
            d.settled,
            d.transitions,
            d.effects,
            marks.keep(),
            d.usage,
            marks.stillUnmarked());
    return new Plan(commit, decisions, settling, d.retries);
  }

  /** Each control in arrival order, decided on the state the ones before it left. */
  private static List<Decision> decideControls(Draft d, List<BatchCommand> controls) {
    List<Decision> decisions = new ArrayList<>();
    for (BatchCommand control : controls) {
      Decision decision = BatchMachine.decide(d.next, control);
      if (decision instanceof Accepted a) {
        d.accept(a);
      }
      decisions.add(decision);
      completeIfDone(d);
    }
    return decisions;
  }

  /**
   * What the commit says of the items in flight that it does not settle: the due ones it marks in
   * progress ({@code started}), all of them ({@code keep}: a cancel leaves them to finish), and how
   * many of them are still unmarked after it.
   */
  private record Marks(List<Integer> started, List<Integer> keep, int stillUnmarked) {

    static Marks of(Input in, Set<Integer> settledSeqs) {
      List<Integer> started = new ArrayList<>();
      for (Integer seq : in.dueMarks()) {
        if (in.inFlight().contains(seq) && !settledSeqs.contains(seq)) {
          started.add(seq);
        }
      }
      List<Integer> keep = new ArrayList<>();
      for (Integer seq : in.inFlight()) {
        if (!settledSeqs.contains(seq)) {
          keep.add(seq);
        }
      }
      int stillUnmarked = 0;
      Set<Integer> marking = new HashSet<>(started);
      for (Integer seq : in.unmarked()) {
        if (in.inFlight().contains(seq) && !settledSeqs.contains(seq) && !marking.contains(seq)) {
          stillUnmarked++;
        }
      }
      return new Marks(started, keep, stillUnmarked);
    }
  }

  /** The commit as it is being planned. */
  private static final class Draft {
    BatchSnapshot next;
    final List<ItemResult> settled = new ArrayList<>();
    final List<PendingItem> retries = new ArrayList<>();
    final List<Transition> transitions = new ArrayList<>();
    final List<Effect> effects = new ArrayList<>();
    TokenUsage usage = TokenUsage.NONE;

    Draft(BatchSnapshot start) {
      this.next = start;
    }

    void accept(Accepted a) {
      next = a.next();
      transitions.add(a.transition());
      effects.addAll(a.effects());
    }
  }

  /** Settles the ended attempts into the draft; returns a batch-level fault, if one came. */
  private static @Nullable String settle(Draft d, Input in, List<Finished> group) {
    String fault = null;
    for (Finished f : group) {
      PendingItem item = f.item();
      d.usage = d.usage.plus(f.tokens().promptTokens(), f.tokens().completionTokens());
      Settlement s =
          BatchMachine.settle(d.next, item.seq(), item.attempts(), f.outcome(), in.retryPolicy());
      d.next = s.next();
      Long delayMillis = s.retryDelay() == null ? null : s.retryDelay().toMillis();
      d.settled.add(
          new ItemResult(
              item.seq(),
              s.itemStatus(),
              s.attempts(),
              f.output(),
              f.error(),
              f.usage(),
              delayMillis,
              s.afterCancel()));
      if (s.itemStatus() == ItemStatus.PENDING) {
        long at = in.nowMillis() + (delayMillis == null ? 0 : delayMillis);
        d.retries.add(
            new PendingItem(
                item.seq(), item.itemId(), item.input(), item.round(), s.attempts(), at));
      }
      if (f.batchFault() != null) {
        fault = f.batchFault();
      }
    }
    return fault;
  }

  /** Pauses a running batch once, when this commit's usage reaches its token budget. */
  private static void pauseIfBudgetSpent(Draft d, Input in) {
    Long budget = in.tokenBudget();
    long before = in.tokensBefore().total();
    long after = before + d.usage.total();
    if (budget == null || before >= budget || after < budget) {
      return;
    }
    BatchCommand pause = new BatchCommand.Pause(BatchMachine.SYSTEM, BUDGET_EXHAUSTED);
    if (BatchMachine.decide(d.next, pause) instanceof Accepted a) {
      d.accept(a);
    }
  }

  /** Expires a running or paused batch once its deadline has passed. */
  private static void expireIfDue(Draft d, Input in) {
    Long deadline = in.deadlineMillis();
    if (deadline == null || in.nowMillis() < deadline) {
      return;
    }
    BatchCommand expire = new BatchCommand.Expire(BatchMachine.SYSTEM, DEADLINE_PASSED);
    if (BatchMachine.decide(d.next, expire) instanceof Accepted a) {
      d.accept(a);
    }
  }

  private static void completeIfDone(Draft d) {
    Accepted done = BatchMachine.finishIfDone(d.next);
    if (done != null) {
      d.accept(done);
    }
  }
}
