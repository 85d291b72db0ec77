package dev.sluice.batch;

import dev.sluice.generate.Generation;
import dev.sluice.generate.Generator;
import dev.sluice.generate.OutputSchema;
import dev.sluice.generate.ProviderGate;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The item side of a runner: it pages pending items in, asks the provider gate for a permit per
 * item the batch may dispatch, runs each attempt, and keeps the attempts in flight and those that
 * ended until a commit stores them. It changes the batch only through its {@link Host}, on the
 * runner's context.
 */
final class Dispatcher {

  /** The most rounds of a batch's slots its window holds. */
  static final int WINDOW_ROUNDS = 16;

  /** What the dispatcher tells its runner. */
  interface Host {
    /** An attempt ended; {@code waiting} attempts now wait for a commit. */
    void attemptEnded(int waiting);

    /** A page of items arrived: look again at what can run. */
    void changed();

    /** Reading failed: the runner can no longer trust its view of the batch. */
    void lose(String why);
  }

  private final Host host;
  private final RunnerState state;
  private final UUID id;
  private final Vertx vertx;
  private final Context context;
  private final BatchReads reads;
  private final Generator generator;
  private final ProviderGate gate;
  private final BatchSettings settings;
  private final BatchMeter meter;
  private final RequestBuilder requests;
  private final @Nullable OutputSchema schema;
  private final PendingWindow window;
  private final LeaseClock leases;
  private final Map<Integer, PendingItem> active = new LinkedHashMap<>();

  /**
   * Items dispatched and not yet marked in progress in the database, each with when it was
   * dispatched ({@link System#nanoTime()}), oldest first.
   */
  private final LinkedHashMap<Integer, Long> unmarked = new LinkedHashMap<>();

  private final long markAfterNanos;
  private final List<Finished> finished = new ArrayList<>();

  /**
   * The items of {@link #finished}: answered, their answers in memory, waiting for the commit that
   * stores them. They are never marked in progress, since that commit writes their row anyway.
   */
  private final Set<Integer> answered = new HashSet<>();

  private boolean pumping;
  private boolean pumpAgain;
  private boolean stopped;
  private int asked;
  private int faultsWaiting;
  private long tokensWaiting;
  private int idleChecks;
  private int generating;

  Dispatcher(
      Host host,
      RunnerState state,
      Context context,
      BatchRecord record,
      RunnerParts parts,
      BatchMeter meter) {
    this.host = host;
    this.state = state;
    this.id = record.id();
    this.vertx = context.owner();
    this.context = context;
    this.reads = parts.store().reads();
    this.generator = parts.generator();
    this.gate = parts.gate();
    this.settings = parts.settings();
    this.leases = parts.leases();
    this.meter = meter;
    this.requests = new RequestBuilder(id, state.config);
    JsonObject output = state.config.outputSchema();
    this.schema = output == null ? null : OutputSchema.of(output, settings.outputSchemaLimits());
    this.window = new PendingWindow(vertx, meter, this::pump);
    this.markAfterNanos = settings.commitMaxDelay().toNanos();
  }

  /**
   * Asks for permits for as many ready items as the batch may dispatch, and pages more in. A call
   * made while it runs (a permit granted on the spot calls back into it) is not lost: it makes the
   * running call go round once more.
   */
  void pump() {
    if (stopped) {
      return;
    }
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        askForPermits();
        refill();
      } while (pumpAgain && !stopped);
    } finally {
      pumping = false;
    }
  }

  private void askForPermits() {
    while (mayDispatch() && finished.size() < settings.commitMaxItems() * 4) {
      PendingItem next = window.peek();
      int slots = BatchMachine.slots(state.snapshot, finished.size());
      if (next == null || slots - asked <= 0 || window.size() <= asked) {
        return;
      }
      asked++;
      long tokens = gate.countsTokens() ? requests.estimateTokens(next) : 0;
      gate.acquire(id, tokens).onComplete(this::onPermitAnywhere);
    }
  }

  /** Permits from a limited gate arrive on the gate's context; free ones arrive right here. */
  private void onPermitAnywhere(AsyncResult<ProviderGate.Permit> ar) {
    if (Vertx.currentContext() == context) {
      onPermit(ar);
    } else {
      context.runOnContext(v -> onPermit(ar));
    }
  }

  /** Dispatches the next ready item with the permit, unless the batch may not dispatch now. */
  private void onPermit(AsyncResult<ProviderGate.Permit> ar) {
    asked--;
    if (ar.failed()) {
      return;
    }
    ProviderGate.Permit permit = ar.result();
    BatchSnapshot s = state.snapshot;
    boolean may = !stopped && mayDispatch() && BatchMachine.slots(s, finished.size()) > 0;
    PendingItem item = may ? window.nextReady(System.currentTimeMillis()) : null;
    if (item == null) {
      permit.release(ProviderGate.Outcome.UNUSED, 0);
      return;
    }
    state.snapshot = BatchMachine.dispatched(s, 1, finished.size());
    meter.dispatched(item.seq());
    active.put(item.seq(), item);
    unmarked.put(item.seq(), System.nanoTime());
    generating++;
    Attempt.run(generator, requests.build(item), permit, meter, schema, vertx)
        .onComplete(result -> ended(item, result));
    pump();
  }

  private void ended(PendingItem item, AsyncResult<Generation> ar) {
    generating--;
    if (stopped || !active.containsKey(item.seq())) {
      return;
    }
    Generation g = ar.succeeded() ? ar.result() : null;
    Finished f = new Finished(item, g, ar.failed() ? ar.cause() : null);
    finished.add(f);
    answered.add(item.seq());
    if (f.batchFault() != null) {
      faultsWaiting++;
    }
    tokensWaiting += f.tokens().total();
    host.attemptEnded(finished.size());
    pump(); // the answer is in memory: its slot is free for the next item
  }

  /** Pending items read at a time (see {@link #windowSize(BatchSettings, int)}). */
  private int windowSize() {
    return windowSize(settings, state.snapshot.concurrency());
  }

  /**
   * Pending items a runner of this concurrency reads at a time: the setting, but no more than
   * {@link #WINDOW_ROUNDS} rounds of its slots, and never fewer than two rounds. A batch that runs
   * two items at a time so holds 32 pending items in memory, not 500: ten thousand of them fit in a
   * small heap, and each still reads a page only every eight rounds.
   */
  static int windowSize(BatchSettings settings, int concurrency) {
    return Math.max(2 * concurrency, Math.min(settings.window(), WINDOW_ROUNDS * concurrency));
  }

  /**
   * Takes the batch's first page of pending items, read for it (with those of other batches) before
   * the runner started, as if the runner had read it itself.
   */
  void startFrom(List<PendingItem> firstPage) {
    window.loaded(firstPage, 0, windowSize(), state.storedVersion, active::containsKey);
  }

  private void refill() {
    boolean quiet = !state.writing && finished.isEmpty();
    int size = windowSize();
    Integer from = window.readFrom(state.snapshot, size, quiet, state.storedVersion);
    if (from == null) {
      return;
    }
    reads
        .pendingWindow(id, from, size)
        .onComplete(
            ar -> {
              if (stopped) {
                return;
              }
              if (ar.failed()) {
                window.loadFailed();
                host.lose("reading pending items failed: " + ar.cause().getMessage());
                return;
              }
              window.loaded(ar.result(), from, size, state.storedVersion, active::containsKey);
              host.changed();
            });
  }

  /**
   * Whether the batch may dispatch now: what the state allows, while this node's lease holds,
   * unless a commit must come first.
   */
  private boolean mayDispatch() {
    return state.mayDispatch() && leases.held() && !mustCommitFirst();
  }

  /**
   * Answers waiting for their commit fail the whole batch or spend its token budget: that commit
   * fails or pauses the batch, and nothing more starts before it.
   */
  /**
   * Every item of the batch has been dispatched and answered: nothing more can join the group, so
   * waiting for the flush delay would only hold the batch's completion back.
   */
  boolean lastAnswersIn() {
    return generating == 0 && !finished.isEmpty() && state.snapshot.counts().pending() == 0;
  }

  boolean mustCommitFirst() {
    Long budget = state.config.tokenBudget();
    long before = state.tokens.total();
    boolean spends = budget != null && before < budget && before + tokensWaiting >= budget;
    return faultsWaiting > 0 || spends;
  }

  List<Finished> finished() {
    return finished;
  }

  /**
   * The items in flight long enough to be marked in progress by the next commit: dispatched at
   * least {@code commit-max-delay-ms} ago and not answered yet. An item answered sooner, or whose
   * answer waits in memory for a later group, is stored once, with its result, instead of twice
   * (docs/decisions.md, "In progress is marked for items that stay in flight").
   */
  List<Integer> dueMarks() {
    long now = System.nanoTime();
    List<Integer> due = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : unmarked.entrySet()) {
      if (!markDue(e.getValue(), now)) {
        break; // dispatch order: the rest are younger
      }
      if (!answered.contains(e.getKey())) {
        due.add(e.getKey());
      }
    }
    return due;
  }

  /** Every item in flight that is not marked in progress in the database yet. */
  Collection<Integer> unmarked() {
    return unmarked.keySet();
  }

  /** Whether a commit now would store something: results, or marks that are due. */
  boolean dueForCommit() {
    if (!finished.isEmpty()) {
      return true;
    }
    Iterator<Long> oldest = unmarked.values().iterator();
    return oldest.hasNext() && markDue(oldest.next(), System.nanoTime());
  }

  /**
   * Whether an item dispatched at {@code dispatchedNanos} has been in flight long enough to mark.
   */
  private boolean markDue(long dispatchedNanos, long nowNanos) {
    return nowNanos - dispatchedNanos >= markAfterNanos;
  }

  Collection<Integer> inFlight() {
    return active.keySet();
  }

  /** Whether anything waits for a commit. */
  boolean unwritten() {
    return !finished.isEmpty() || !unmarked.isEmpty();
  }

  /** Nothing in flight and nothing waiting for a commit. */
  boolean quiet() {
    return active.isEmpty() && finished.isEmpty();
  }

  /** Nothing in flight, asked for, being read or waiting for a commit. */
  boolean idle() {
    return quiet() && asked == 0 && !window.loading();
  }

  /** The plan took these: they are in the commit being written. */
  void planned(CommitPlanner.Plan plan) {
    List<Finished> taken = finished.subList(0, plan.settledCount());
    taken.forEach(f -> answered.remove(f.item().seq()));
    taken.clear();
    faultsWaiting = (int) finished.stream().filter(f -> f.batchFault() != null).count();
    tokensWaiting = finished.stream().mapToLong(f -> f.tokens().total()).sum();
    Commit commit = plan.commit();
    commit.started().forEach(unmarked::remove);
    commit.settled().forEach(r -> unmarked.remove(r.seq()));
    unmarked.keySet().retainAll(active.keySet());
    if (plan.commit().effects().contains(Effect.CANCEL_PENDING)) {
      window.drop();
    }
  }

  /** The plan's commit is durable: settled items leave, retries wait out their backoff. */
  void stored(CommitPlanner.Plan plan, boolean terminal) {
    for (ItemResult r : plan.commit().settled()) {
      active.remove(r.seq());
      window.settled(r.seq());
    }
    if (!terminal) {
      long now = System.currentTimeMillis();
      for (PendingItem item : plan.retries()) {
        Long at = item.notBeforeMillis();
        window.delay(item, at == null ? 0 : at - now);
      }
    }
    if (plan.commit().effects().contains(Effect.REQUEUE_FAILED)) {
      window.rescanSoon();
    }
  }

  /**
   * A backstop against a lost wake-up, called once a second: a running batch with work left but
   * nothing in flight, asked for, read or written twice in a row looks again; true when it should.
   */
  boolean lookAgain() {
    BatchSnapshot s = state.snapshot;
    boolean stuck =
        !stopped
            && !state.writing
            && idle()
            && s.status() == BatchStatus.RUNNING
            && s.counts().pending() > 0;
    idleChecks = stuck ? idleChecks + 1 : 0;
    if (idleChecks < 2) {
      return false;
    }
    window.forgetEmptyRescan();
    return true;
  }

  void stop() {
    stopped = true;
    window.stopTimers();
  }
}
