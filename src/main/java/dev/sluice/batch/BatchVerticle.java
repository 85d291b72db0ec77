package dev.sluice.batch;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one live batch: the only writer of its row while it holds the batch's epoch. It handles one
 * message at a time on its own context: its {@link Dispatcher} runs items, control commands queue
 * in its {@link ControlQueue}, and it writes what happened in commits planned by {@link
 * CommitPlanner}, each guarded by epoch and revision, one at a time or, for groups of results, two
 * ({@link CommitsInFlight}). A write that fails or is fenced stops the runner, and the supervisor
 * recovers the batch from the database.
 */
final class BatchVerticle extends VerticleBase implements Dispatcher.Host {

  private static final Logger log = LoggerFactory.getLogger(BatchVerticle.class);

  /** Told when the runner is done with its batch: finished, or lost it. */
  interface Listener {
    void ended(UUID batchId, BatchVerticle runner, boolean lost, String why);
  }

  private final RunnerParts parts;
  private final BatchSettings settings;
  private final Listener listener;
  private final BatchMeter meter;
  private final BatchRecord base;
  private final UUID id;
  private final RunnerState state;
  private final ControlQueue controls;
  private final CommitTiming timing;
  private @Nullable Dispatcher items;
  private @Nullable MessageConsumer<ControlRequest> consumer;
  private @Nullable FlushTimer flush;
  private final Promise<Void> drained = Promise.promise();
  private final Promise<Void> looked = Promise.promise();
  private long deadlineTimer = -1;
  private @Nullable List<PendingItem> firstPage;
  private volatile boolean drainAsked;

  /**
   * Commits sent and not yet answered: at most two, the second only as {@link
   * CommitTiming#mayFollow}.
   */
  private final CommitsInFlight commits;

  BatchVerticle(BatchRecord record, RunnerParts parts, Listener listener, BatchMeter meter) {
    this.parts = parts;
    this.settings = parts.settings();
    this.listener = listener;
    this.meter = meter;
    this.base = record;
    this.id = record.id();
    this.state = new RunnerState(record);
    this.controls = state.controls;
    this.timing = new CommitTiming(state, settings);
    this.commits = new CommitsInFlight(id, () -> parts.store().writes(), parts.marks());
  }

  /** The batch as it was claimed or created, which this runner starts from. */
  BatchRecord record() {
    return base;
  }

  /**
   * The batch's first pending items, read before the runner is deployed (for many batches in one
   * query), so that it starts without a read of its own.
   */
  void startFrom(List<PendingItem> page) {
    this.firstPage = page;
  }

  /**
   * Completes once the runner has had its first look at its batch: what it dispatched at once is
   * stored (its first commit is written), or it had nothing to write, or it ended.
   */
  Future<Void> firstLook() {
    return looked.future();
  }

  @Override
  public Future<?> start() {
    if (state.stopped) {
      return Future.failedFuture("the runner was stopped before it started");
    }
    items = new Dispatcher(this, state, context, base, parts, meter);
    flush = new FlushTimer(vertx, settings);
    if (firstPage != null) {
      items.startFrom(firstPage);
      firstPage = null;
    }
    state.draining = drainAsked;
    MessageConsumer<ControlRequest> c =
        vertx.eventBus().consumer(ControlRequest.address(id), this::onControl);
    consumer = c;
    Long deadline = state.deadlineMillis;
    if (deadline != null) {
      long delay = Math.max(1, deadline - System.currentTimeMillis());
      deadlineTimer = vertx.setTimer(delay, t -> afterChange());
    }
    // The runner looks at its batch at once, not once its address is known to every member: in a
    // cluster a member frozen past its lease holds that up until it is dropped, and a control sent
    // meanwhile is answered 503 with Retry-After. The deployment still completes only then.
    context.runOnContext(x -> afterChange());
    return c.completion().onFailure(e -> onContext(() -> unreachable(e))).mapEmpty();
  }

  /** The runner's address could not be registered: no control could reach it, so it stops. */
  private void unreachable(Throwable e) {
    if (!state.stopped) {
      lose("its control address could not be registered: " + e.getMessage());
    }
  }

  @Override
  public Future<?> stop() {
    state.stopped = true;
    cancelTimers();
    return Future.succeededFuture();
  }

  private Dispatcher items() {
    return Objects.requireNonNull(items, "the runner has started");
  }

  private void onControl(Message<ControlRequest> message) {
    BatchCommand command = message.body().toCommand();
    if (command == null || command instanceof BatchCommand.Fail) {
      message.reply(new ControlResult.Refused(state.snapshot.status(), "Unknown command."));
    } else if (!message.body().mayControl(base.owner())) {
      message.reply(new ControlResult.Missing());
    } else if (state.stopped) {
      message.reply(state.afterEnd(command));
    } else {
      controls.add(command, message);
      write();
    }
  }

  /**
   * The backstop against a lost wake-up, asked once a second by the node's {@link RunnerWatch}: a
   * running batch with work left but nothing in flight, asked for, read or written (twice in a row)
   * looks again.
   */
  void watch() {
    onContext(this::lookAgain);
  }

  private void lookAgain() {
    if (items == null || state.stopped) {
      return;
    }
    if (items().lookAgain()) {
      log.atWarn().addKeyValue("batch", id).log("The batch had work left; looking again");
      afterChange();
    }
  }

  /** Runs whatever the new state allows: dispatch, page in, write, or end. */
  private void afterChange() {
    if (items == null) {
      return; // not started yet: start() looks at the batch first thing
    }
    if (!state.stopped) {
      items().pump();
      writeWhenDue();
      endIfDone();
    }
    if (!state.writing && !items().unwritten()) {
      looked.tryComplete();
    }
    if (state.draining
        && !state.writing
        && controls.isEmpty()
        && items().quiet()
        && !items().unwritten()) {
      drained.tryComplete();
    }
  }

  /** Runs {@code action} on the runner's context, once it has one. */
  private void onContext(Runnable action) {
    if (context != null) {
      context.runOnContext(v -> action.run());
    }
  }

  /**
   * The batch is no longer this node's (its lease renewal matched nothing): stop at once, without
   * another write or dispatch.
   */
  void fence(String why) {
    state.fenced = true;
    onContext(
        () -> {
          if (!state.stopped) {
            lose(why);
          }
        });
  }

  /** Looks again at what may run now (the node's leases hold again). */
  void wake() {
    onContext(this::afterChange);
  }

  /**
   * Dispatches nothing more, and completes once everything in flight has ended and been stored (or
   * the runner ended); controls are still answered meanwhile.
   */
  Future<Void> drain() {
    drainAsked = true;
    if (context == null) {
      // Not deployed (yet): nothing is in flight, and it starts draining if it ever starts.
      drained.tryComplete();
      return drained.future();
    }
    onContext(
        () -> {
          state.draining = true;
          afterChange();
        });
    return drained.future();
  }

  /** Ends the runner without losing the batch: the node has given it up, or is closing. */
  void retire(String why) {
    onContext(
        () -> {
          if (!state.stopped) {
            controls.answerAll(ControlQueue.RECOVERING);
            end(false, why);
          }
        });
  }

  /**
   * Writes now what must not wait, and leaves the rest to the flush timer ({@link CommitTiming}).
   */
  private void writeWhenDue() {
    if (timing.dueNow(items())) {
      write();
    } else {
      scheduleFlush();
    }
  }

  private void scheduleFlush() {
    if (flush != null && !state.writing && !state.stopped && items().unwritten()) {
      flush.schedule(this::write);
    }
  }

  /**
   * Plans and sends the next commit, unless there is nothing to write or one is in flight — then
   * only a full group of results may follow it at once ({@link CommitTiming#mayFollow}).
   */
  private void write() {
    if (state.stopped || (state.writing && !timing.mayFollow(commits, items()))) {
      return;
    }
    controls.refuseAtOnce(state.snapshot);
    if (controls.isEmpty() && !items().dueForCommit() && !state.endsNow()) {
      scheduleFlush(); // only marks that are not due yet: the next flush takes them
      return;
    }
    long previous = commits.previousVersion(state.storedVersion);
    List<ControlQueue.Queued> taken = state.writing ? List.of() : controls.takeAll();
    CommitPlanner.Plan plan =
        CommitPlanner.plan(CommitPlanner.Input.of(state, base, taken, items(), settings, previous));
    boolean plain = CommitsInFlight.plain(plan, state.snapshot.status());
    if (state.writing && !plain) {
      return; // it waits for the commit in flight (planning changed nothing)
    }
    if (flush != null) {
      flush.cancel();
    }
    items().planned(plan);
    if (plan.next().status() != BatchStatus.RUNNING) {
      parts.gate().releaseWaiting(id);
    }
    state.writing = true;
    state.holdDispatch = plan.moves();
    state.snapshot = plan.next();
    Commit commit = plan.commit();
    if (commit.effects().contains(Effect.LIFT_DEADLINE)) {
      state.deadlineMillis = null;
    }
    meter
        .writing(commit, () -> commits.send(plan, plain))
        .onComplete(ar -> written(plan, taken, ar));
  }

  private void written(
      CommitPlanner.Plan plan, List<ControlQueue.Queued> taken, AsyncResult<Boolean> ar) {
    commits.answered();
    state.writing = commits.count() > 0;
    state.holdDispatch = false;
    if (state.stopped) {
      // The runner ended meanwhile (a failed read): whatever became of this commit, recovery reads
      // it back; the controls it carried are told to ask again.
      taken.forEach(q -> q.message().reply(ControlQueue.RECOVERING));
      return;
    }
    if (ar.failed() || !ar.result()) {
      taken.forEach(q -> q.message().reply(ControlQueue.NOT_STORED));
      lose(
          ar.failed()
              ? "a write failed: " + ar.cause().getMessage()
              : "the batch is owned elsewhere");
      return;
    }
    // Its first commit is written: the runner has had its first look (items dispatched since may
    // stay unmarked for a while, so waiting for "nothing unwritten" could last the whole batch).
    looked.tryComplete();
    state.storedVersion = plan.next().version();
    TokenUsage used = plan.commit().usage();
    state.tokens = state.tokens.plus(used.promptTokens(), used.completionTokens());
    items().stored(plan, state.snapshot.status().isTerminal());
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    BatchRecord stored = base.stored(plan.next(), state.tokens, now);
    ControlQueue.answer(taken, plan.decisions(), new ControlResult.Done(stored));
    BatchChanges.publish(vertx, plan.next(), plan.commit().transitions());
    afterChange();
  }

  private void endIfDone() {
    boolean quiet = items().quiet() && controls.isEmpty() && !state.writing;
    if (state.snapshot.status().isTerminal() && quiet && !state.stopped) {
      end(false, "finished");
    }
  }

  @Override
  public void lose(String why) {
    log.atWarn().addKeyValue("batch", id).log("The batch's runner stops: {}", why);
    controls.answerAll(ControlQueue.RECOVERING);
    end(true, why);
  }

  private void end(boolean lostIt, String why) {
    drained.tryComplete();
    looked.tryComplete();
    state.stopped = true;
    state.lost = lostIt;
    cancelTimers();
    parts.gate().releaseWaiting(id);
    log.atDebug().addKeyValue("batch", id).log("The batch's runner ends: {}", why);
    // Tell the supervisor first, so a retry-failed that reopens the batch right now deploys a new
    // runner; until the consumer is gone this one answers from its last snapshot
    // (RunnerState.afterEnd).
    listener.ended(id, this, lostIt, why);
    if (consumer != null) {
      consumer.unregister();
    }
  }

  private void cancelTimers() {
    if (flush != null) {
      flush.cancel();
    }
    vertx.cancelTimer(deadlineTimer);
    if (items != null) {
      items.stop();
    }
  }

  @Override
  public void attemptEnded(int waiting) {
    // An answered item's slot is free already (BatchMachine.slots); its result waits for a full
    // group or for the delay, whichever comes first.
    writeWhenDue();
  }

  @Override
  public void changed() {
    afterChange();
  }
}
