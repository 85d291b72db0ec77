package dev.sluice.batch;

import dev.sluice.batch.BatchCommand.Fail;
import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationException;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import dev.sluice.generate.OutputSchema;
import dev.sluice.generate.ProviderGate;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one live batch: the only writer of its row while it holds the batch's epoch. It handles one
 * message at a time on its own context: control commands are decided by {@link BatchMachine},
 * stored, then answered; items are paged in from the database, dispatched up to the batch's
 * concurrency, and their results stored in group commits. Writes are strictly sequential, each
 * guarded by epoch and revision; a write that fails or is fenced stops the verticle, and the
 * supervisor recovers the batch from the database.
 */
final class BatchVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(BatchVerticle.class);

  private static final long WATCH_MS = 1000;

  /** Told when the verticle is done with its batch: finished, or lost it. */
  interface Listener {
    void ended(UUID batchId, BatchVerticle runner, boolean lost, String why);
  }

  private static final long DEFAULT_COMPLETION_TOKENS = 256;

  private static final ControlResult RECOVERING =
      new ControlResult.Unavailable("The batch is being recovered; try again shortly.");
  private static final ControlResult NOT_STORED =
      new ControlResult.Unavailable("The change could not be stored; try again shortly.");

  /** The reason recorded when a batch pauses because its token budget is spent. */
  static final String BUDGET_EXHAUSTED = "budget_exhausted";

  private final BatchRepository repository;
  private final Generator generator;
  private final ProviderGate gate;
  private final BatchSettings settings;
  private final BatchConfig config;
  private final long epoch;
  private final Listener listener;
  private final BatchMeter meter;
  private final UUID id;

  private BatchSnapshot snapshot;
  private final BatchRecord base;
  private long persistedVersion;
  private TokenUsage tokens;
  private final @Nullable OutputSchema outputSchema;

  private final ArrayDeque<PendingItem> window = new ArrayDeque<>();
  private final Set<Integer> windowSeqs = new HashSet<>();
  private int cursor;
  private boolean loading;
  private boolean scanEnded;
  private long lastEmptyRescan = -1;

  private final Map<Integer, PendingItem> active = new LinkedHashMap<>();
  private final List<Integer> startedUnwritten = new ArrayList<>();
  private final List<Finished> finished = new ArrayList<>();
  private final Map<Integer, Long> delayed = new HashMap<>();
  private final ArrayDeque<PendingControl> controls = new ArrayDeque<>();

  private @Nullable MessageConsumer<ControlRequest> consumer;
  private boolean writing;
  private boolean pumping;
  private boolean pumpAgain;
  private int idleChecks;
  private long watchTimer = -1;
  private int asked;
  private boolean stopped;
  private boolean lost;
  private long flushTimer = -1;

  private record Finished(
      PendingItem item, @Nullable Generation generation, @Nullable Throwable failure) {}

  private record PendingControl(BatchCommand command, Message<ControlRequest> message) {}

  BatchVerticle(
      BatchRecord record,
      BatchRepository repository,
      Generator generator,
      ProviderGate gate,
      BatchSettings settings,
      Listener listener,
      BatchMeter meter) {
    this.repository = repository;
    this.generator = generator;
    this.gate = gate;
    this.settings = settings;
    this.config = record.batchConfig();
    this.epoch = record.epoch();
    this.listener = listener;
    this.meter = meter;
    this.id = record.id();
    this.snapshot = record.snapshot();
    this.base = record;
    this.persistedVersion = record.version();
    this.tokens = record.usage();
    JsonObject schema = config.outputSchema();
    this.outputSchema =
        schema == null ? null : OutputSchema.of(schema, settings.outputSchemaLimits());
  }

  @Override
  public Future<?> start() {
    MessageConsumer<ControlRequest> c =
        vertx.eventBus().consumer(ControlRequest.address(id), this::onControl);
    consumer = c;
    return c.completion()
        .onSuccess(
            v -> {
              watchTimer = vertx.setPeriodic(WATCH_MS, t -> watch());
              context.runOnContext(x -> afterChange());
            });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    cancelTimers();
    return Future.succeededFuture();
  }

  private void onControl(Message<ControlRequest> message) {
    BatchCommand command = message.body().toCommand();
    if (command == null || command instanceof Fail) {
      message.reply(
          new ControlResult.Refused(
              snapshot.status(), "Unknown command " + message.body().command() + "."));
      return;
    }
    String actor = command.actor();
    if (!actor.equals(BatchMachine.SYSTEM) && !actor.equals(base.owner())) {
      message.reply(new ControlResult.Missing());
      return;
    }
    if (stopped) {
      answerAfterEnd(command, message);
      return;
    }
    controls.add(new PendingControl(command, message));
    write();
  }

  /**
   * A command that reaches a runner after it ended: a finished batch's state is stored, so a
   * refusal can be answered here; anything else is answered from the stored state by the caller.
   */
  private void answerAfterEnd(BatchCommand command, Message<ControlRequest> message) {
    if (!lost && BatchMachine.decide(snapshot, command) instanceof Rejected r) {
      message.reply(refused(r));
    } else if (!lost) {
      message.reply(new ControlResult.Ended());
    } else {
      message.reply(RECOVERING);
    }
  }

  /** Runs whatever the new state allows: dispatch, page in, write, or end. */
  private void afterChange() {
    if (stopped) {
      return;
    }
    pump();
    write();
    endIfDone();
  }

  /**
   * Asks for permits for as many ready items as the batch may dispatch, pages more in, and times
   * the next flush. A call made while it runs (a permit granted on the spot calls back into it) is
   * not lost: it makes the running call go round once more.
   */
  private void pump() {
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
        while (controls.isEmpty() && finished.size() < settings.commitMaxItems() * 4) {
          PendingItem next = window.peek();
          if (next == null || BatchMachine.slots(snapshot) - asked <= 0 || window.size() <= asked) {
            break;
          }
          asked++;
          gate.acquire(id, estimateTokens(next)).onComplete(this::onPermitAnywhere);
        }
        refill();
        scheduleFlush();
      } while (pumpAgain && !stopped);
    } finally {
      pumping = false;
    }
  }

  /**
   * A backstop against a lost wake-up: once a second a running batch with work left but nothing in
   * flight, waiting or being written looks again. It costs one timer per live batch.
   */
  private void watch() {
    boolean idle = active.isEmpty() && asked == 0 && !writing && !loading && finished.isEmpty();
    if (!stopped
        && idle
        && snapshot.status() == BatchStatus.RUNNING
        && snapshot.counts().pending() > 0) {
      if (idleChecks++ > 0) {
        log.atWarn()
            .addKeyValue("batch", id)
            .log("The batch had work left but nothing running; looking again");
        lastEmptyRescan = -1;
        afterChange();
      }
    } else {
      idleChecks = 0;
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
    PendingItem item =
        stopped || !controls.isEmpty() || BatchMachine.slots(snapshot) == 0 ? null : nextReady();
    if (item == null) {
      permit.release(ProviderGate.Outcome.UNUSED, 0);
      return;
    }
    snapshot = BatchMachine.dispatched(snapshot, 1);
    meter.dispatched(item.seq());
    active.put(item.seq(), item);
    startedUnwritten.add(item.seq());
    generate(item, permit);
    pump();
  }

  /** The first window item that may run now; items still in their retry backoff wait aside. */
  private @Nullable PendingItem nextReady() {
    long now = System.currentTimeMillis();
    PendingItem item;
    while ((item = window.poll()) != null) {
      windowSeqs.remove(item.seq());
      Long notBefore = item.notBeforeMillis();
      if (notBefore == null || notBefore <= now) {
        return item;
      }
      delay(item, notBefore - now);
    }
    return null;
  }

  /** The batch's generation parameters, with the item's own over them. */
  private Map<String, Object> params(PendingItem item) {
    JsonObject own = item.input().getJsonObject("params");
    if (own == null) {
      return config.params();
    }
    Map<String, Object> merged = new HashMap<>(config.params());
    own.forEach(e -> merged.put(e.getKey(), e.getValue()));
    return merged;
  }

  private long estimateTokens(PendingItem item) {
    Object max = config.params().get("max_tokens");
    long completion = max instanceof Number n ? n.longValue() : DEFAULT_COMPLETION_TOKENS;
    return PromptTemplate.render(config.template(), item.input()).length() / 4 + completion;
  }

  private void generate(PendingItem item, ProviderGate.Permit permit) {
    GenerationRequest request =
        new GenerationRequest(
            id,
            item.seq(),
            item.itemId(),
            item.round(),
            item.attempts() + 1,
            config.model(),
            config.system(),
            PromptTemplate.render(config.template(), item.input()),
            PromptTemplate.messages(item.input()),
            params(item));
    long started = System.nanoTime();
    Future<Generation> result;
    try {
      result = generator.generate(request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> permit.release(gateOutcome(ar), tokensUsed(ar), providerNanos(ar)));
    meter.generating(result, started);
    OutputSchema gateOutput = outputSchema;
    if (gateOutput != null) {
      result = result.compose(generation -> checked(gateOutput, generation));
    }
    result.onComplete(ar -> onGenerated(item, ar));
  }

  /**
   * The generation once a worker thread found it meets the schema (compiled there on first use).
   */
  private Future<Generation> checked(OutputSchema schema, Generation generation) {
    return schema.check(vertx, generation.text()).map(generation);
  }

  private static ProviderGate.Outcome gateOutcome(AsyncResult<Generation> ar) {
    if (ar.succeeded()) {
      return ProviderGate.Outcome.ANSWERED;
    }
    if (ar.cause() instanceof GenerationException g
        && g.kind() != GenerationException.Kind.RETRYABLE) {
      return ProviderGate.Outcome.ANSWERED;
    }
    if (ar.cause() instanceof GenerationException g && g.rateLimited()) {
      return ProviderGate.Outcome.RATE_LIMITED;
    }
    return ProviderGate.Outcome.FAILED;
  }

  private static long providerNanos(AsyncResult<Generation> ar) {
    return ar.succeeded() ? TimeUnit.MILLISECONDS.toNanos(ar.result().providerMillis()) : 0;
  }

  private static long tokensUsed(AsyncResult<Generation> ar) {
    return ar.succeeded() ? ar.result().promptTokens() + ar.result().completionTokens() : 0;
  }

  private void onGenerated(PendingItem item, AsyncResult<Generation> ar) {
    if (stopped || !active.containsKey(item.seq())) {
      return;
    }
    finished.add(
        new Finished(item, ar.succeeded() ? ar.result() : null, ar.failed() ? ar.cause() : null));
    if (finished.size() >= flushThreshold()) {
      write();
    } else {
      scheduleFlush();
    }
  }

  /** Pending items read at a time: the setting, or twice the concurrency if that is more. */
  private int windowSize() {
    return Math.max(settings.window(), 2 * snapshot.concurrency());
  }

  private int flushThreshold() {
    return Math.max(1, Math.min(settings.commitMaxItems(), snapshot.concurrency() / 2));
  }

  private void delay(PendingItem item, long millis) {
    long timer =
        vertx.setTimer(
            Math.max(1, millis),
            t -> {
              delayed.remove(item.seq());
              if (!stopped && !snapshot.status().isTerminal() && windowSeqs.add(item.seq())) {
                window.addFirst(
                    new PendingItem(
                        item.seq(),
                        item.itemId(),
                        item.input(),
                        item.round(),
                        item.attempts(),
                        null));
                meter.queued(item.seq());
                pump();
              }
            });
    delayed.put(item.seq(), timer);
  }

  private void refill() {
    if (loading
        || stopped
        || snapshot.status() != BatchStatus.RUNNING
        || window.size() > windowSize() / 2) {
      return;
    }
    if (scanEnded) {
      boolean unseen = snapshot.counts().pending() > window.size() + delayed.size();
      boolean quiet = window.isEmpty() && !writing && finished.isEmpty();
      if (!unseen || !quiet || lastEmptyRescan == persistedVersion) {
        return;
      }
      cursor = 0;
      scanEnded = false;
    }
    loading = true;
    boolean rescan = cursor == 0;
    repository
        .pendingWindow(id, cursor, windowSize())
        .onComplete(
            ar -> {
              loading = false;
              if (stopped) {
                return;
              }
              if (ar.failed()) {
                lose("reading pending items failed: " + ar.cause().getMessage());
                return;
              }
              admit(ar.result(), rescan);
              afterChange();
            });
  }

  private void admit(List<PendingItem> items, boolean rescan) {
    int added = 0;
    for (PendingItem item : items) {
      int seq = item.seq();
      if (!active.containsKey(seq) && !delayed.containsKey(seq) && windowSeqs.add(seq)) {
        window.add(item);
        meter.queued(seq);
        added++;
      }
    }
    if (!items.isEmpty()) {
      cursor = items.get(items.size() - 1).seq();
    }
    if (items.size() < windowSize()) {
      scanEnded = true;
      if (rescan && added == 0) {
        lastEmptyRescan = persistedVersion;
      }
    }
  }

  private void scheduleFlush() {
    if (flushTimer >= 0
        || writing
        || stopped
        || (finished.isEmpty() && startedUnwritten.isEmpty())) {
      return;
    }
    long delay = Math.max(1, settings.commitMaxDelay().toMillis());
    flushTimer =
        vertx.setTimer(
            delay,
            t -> {
              flushTimer = -1;
              write();
            });
  }

  /** Builds and sends the next commit, unless one is in flight or there is nothing to write. */
  private void write() {
    if (writing || stopped) {
      return;
    }
    refuseAtOnce();
    boolean completes = BatchMachine.finishIfDone(snapshot) != null;
    if (finished.isEmpty() && controls.isEmpty() && startedUnwritten.isEmpty() && !completes) {
      return;
    }
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
      flushTimer = -1;
    }
    CommitPlan plan = plan();
    writing = true;
    snapshot = plan.next;
    pump();
    Commit commit = java.util.Objects.requireNonNull(plan.commit);
    meter.writing(commit, () -> repository.commit(id, commit)).onComplete(ar -> written(plan, ar));
  }

  /**
   * Answers the controls at the head of the queue that the stored state refuses, without a write: a
   * refusal changes nothing. With no commit in flight the snapshot's status is the stored one; a
   * refusal that depends on a control ahead of it (pause, pause) waits for that control's commit.
   */
  private void refuseAtOnce() {
    PendingControl head;
    while ((head = controls.peek()) != null
        && BatchMachine.decide(snapshot, head.command()) instanceof Rejected r) {
      controls.poll();
      head.message().reply(refused(r));
    }
  }

  /** Everything one commit carries, and what to do once it is durable. */
  private static final class CommitPlan {
    BatchSnapshot next;
    final List<ItemResult> settled = new ArrayList<>();
    final List<PendingItem> retries = new ArrayList<>();
    final List<Transition> transitions = new ArrayList<>();
    final List<Effect> effects = new ArrayList<>();
    final List<PendingControl> accepted = new ArrayList<>();
    final List<Map.Entry<PendingControl, Rejected>> rejected = new ArrayList<>();
    TokenUsage usage = TokenUsage.NONE;
    @Nullable Commit commit;

    CommitPlan(BatchSnapshot start) {
      this.next = start;
    }

    void accept(Accepted a) {
      next = a.next();
      transitions.add(a.transition());
      effects.addAll(a.effects());
    }
  }

  /**
   * What the next commit carries. When a control command waits, the commit carries it alone, so the
   * person waiting for the answer does not wait for a group of results to be written too; those
   * results go in the commit right after, and their items count as finished then.
   */
  private CommitPlan plan() {
    CommitPlan plan = new CommitPlan(snapshot);
    boolean controlFirst = !controls.isEmpty();
    String batchFault = controlFirst ? null : settle(plan);
    if (batchFault != null
        && BatchMachine.decide(plan.next, new Fail(BatchMachine.SYSTEM, batchFault))
            instanceof Accepted a) {
      plan.accept(a);
    }
    pauseIfBudgetSpent(plan);
    completeIfDone(plan);
    while (!controls.isEmpty()) {
      PendingControl control = controls.poll();
      Decision d = BatchMachine.decide(plan.next, control.command());
      if (d instanceof Accepted a) {
        plan.accept(a);
        plan.accepted.add(control);
      } else {
        plan.rejected.add(Map.entry(control, (Rejected) d));
      }
      completeIfDone(plan);
    }
    if (plan.effects.contains(Effect.CANCEL_PENDING)) {
      dropQueued();
    }
    if (plan.next.status() != BatchStatus.RUNNING) {
      gate.releaseWaiting(id);
    }
    Set<Integer> settledSeqs = new HashSet<>();
    plan.settled.forEach(r -> settledSeqs.add(r.seq()));
    List<Integer> started = new ArrayList<>();
    if (!controlFirst) {
      for (Integer seq : startedUnwritten) {
        if (active.containsKey(seq) && !settledSeqs.contains(seq)) {
          started.add(seq);
        }
      }
      startedUnwritten.clear();
    }
    List<Integer> keep = new ArrayList<>();
    for (Integer seq : active.keySet()) {
      if (!settledSeqs.contains(seq)) {
        keep.add(seq);
      }
    }
    plan.commit =
        new Commit(
            epoch,
            persistedVersion,
            plan.next,
            started,
            plan.settled,
            plan.transitions,
            plan.effects,
            keep,
            plan.usage);
    return plan;
  }

  /** Pauses a running batch once, when this commit's usage reaches its token budget. */
  private void pauseIfBudgetSpent(CommitPlan plan) {
    Long budget = config.tokenBudget();
    long before = tokens.total();
    long after = before + plan.usage.total();
    if (budget == null || before >= budget || after < budget) {
      return;
    }
    BatchCommand pause = new BatchCommand.Pause(BatchMachine.SYSTEM, BUDGET_EXHAUSTED);
    if (BatchMachine.decide(plan.next, pause) instanceof Accepted a) {
      plan.accept(a);
    }
  }

  private static void completeIfDone(CommitPlan plan) {
    Accepted done = BatchMachine.finishIfDone(plan.next);
    if (done != null) {
      plan.accept(done);
    }
  }

  /**
   * Settles finished attempts into the plan, at most a group commit's worth (the rest go in the
   * next commit); returns a batch-level fault, if one came.
   */
  private @Nullable String settle(CommitPlan plan) {
    String batchFault = null;
    List<Finished> group =
        finished.subList(0, Math.min(finished.size(), settings.commitMaxItems()));
    for (Finished f : group) {
      ItemOutcome outcome = outcome(f);
      PendingItem item = f.item();
      Generation g = f.generation();
      if (g != null) {
        plan.usage = plan.usage.plus(g.promptTokens(), g.completionTokens());
      }
      Settlement s =
          BatchMachine.settle(
              plan.next, item.seq(), item.attempts(), outcome, settings.retryPolicy());
      plan.next = s.next();
      Long delayMillis = s.retryDelay() == null ? null : s.retryDelay().toMillis();
      plan.settled.add(
          new ItemResult(
              item.seq(),
              s.itemStatus(),
              s.attempts(),
              output(f),
              error(f),
              usage(f),
              delayMillis,
              s.afterCancel()));
      if (s.itemStatus() == ItemStatus.PENDING) {
        long at = System.currentTimeMillis() + (delayMillis == null ? 0 : delayMillis);
        plan.retries.add(
            new PendingItem(
                item.seq(), item.itemId(), item.input(), item.round(), s.attempts(), at));
      }
      if (f.failure() instanceof GenerationException fault
          && fault.kind() == GenerationException.Kind.BATCH) {
        batchFault = fault.getMessage();
      }
    }
    group.clear();
    return batchFault;
  }

  private static ItemOutcome outcome(Finished f) {
    if (f.generation() != null) {
      return new ItemOutcome.Succeeded();
    }
    if (f.failure() instanceof GenerationException g) {
      return new ItemOutcome.Failed(g.kind() == GenerationException.Kind.RETRYABLE, g.retryAfter());
    }
    return new ItemOutcome.Failed(true, null);
  }

  private static @Nullable String output(Finished f) {
    return f.generation() == null ? null : f.generation().text();
  }

  private static @Nullable JsonObject error(Finished f) {
    Throwable t = f.failure();
    if (t == null) {
      return null;
    }
    String code = t instanceof GenerationException g ? g.code() : "internal";
    return new JsonObject().put("code", code).put("message", String.valueOf(t.getMessage()));
  }

  private static @Nullable JsonObject usage(Finished f) {
    Generation g = f.generation();
    if (g == null) {
      return null;
    }
    return new JsonObject()
        .put("promptTokens", g.promptTokens())
        .put("completionTokens", g.completionTokens())
        .put("finishReason", g.finishReason());
  }

  private void written(CommitPlan plan, AsyncResult<Boolean> ar) {
    writing = false;
    if (stopped) {
      return;
    }
    if (ar.failed() || !ar.result()) {
      String why =
          ar.failed()
              ? "a write failed: " + ar.cause().getMessage()
              : "another owner holds the batch";
      plan.accepted.forEach(c -> c.message().reply(NOT_STORED));
      plan.rejected.forEach(e -> e.getKey().message().reply(NOT_STORED));
      lose(why);
      return;
    }
    persistedVersion = plan.next.version();
    tokens = tokens.plus(plan.usage.promptTokens(), plan.usage.completionTokens());
    plan.settled.forEach(r -> active.remove(r.seq()));
    if (!snapshot.status().isTerminal()) {
      plan.retries.forEach(
          item ->
              delay(
                  item,
                  item.notBeforeMillis() == null
                      ? 0
                      : item.notBeforeMillis() - System.currentTimeMillis()));
    }
    if (plan.effects.contains(Effect.REQUEUE_FAILED)) {
      scanEnded = true;
      lastEmptyRescan = -1;
    }
    ControlResult done = new ControlResult.Done(BatchViews.batch(stored(plan.next)));
    plan.accepted.forEach(c -> c.message().reply(done));
    plan.rejected.forEach(e -> e.getKey().message().reply(refused(e.getValue())));
    BatchChanges.publish(vertx, plan.next, plan.transitions);
    afterChange();
  }

  /** The batch as the commit that just succeeded stored it (timestamps to the millisecond). */
  private BatchRecord stored(BatchSnapshot s) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    OffsetDateTime finished =
        s.status().isTerminal() ? (base.finishedAt() == null ? now : base.finishedAt()) : null;
    return new BatchRecord(
        id,
        base.owner(),
        base.name(),
        s.status(),
        s.statusReason(),
        base.config(),
        s.counts(),
        s.version(),
        epoch,
        base.createdAt(),
        now,
        finished,
        tokens);
  }

  private static ControlResult refused(Rejected r) {
    return new ControlResult.Refused(r.current(), r.detail());
  }

  /**
   * A cancel leaves nothing to dispatch: pending items in memory are cancelled in the same write.
   */
  private void dropQueued() {
    window.clear();
    windowSeqs.clear();
    meter.dropped();
    delayed.values().forEach(vertx::cancelTimer);
    delayed.clear();
  }

  private void endIfDone() {
    boolean quiet = active.isEmpty() && finished.isEmpty() && controls.isEmpty() && !writing;
    if (snapshot.status().isTerminal() && quiet && !stopped) {
      end(false, "finished");
    }
  }

  private void lose(String why) {
    log.atWarn().addKeyValue("batch", id).log("The batch's runner stops: {}", why);
    controls.forEach(c -> c.message().reply(RECOVERING));
    controls.clear();
    end(true, why);
  }

  private void end(boolean lostIt, String why) {
    stopped = true;
    lost = lostIt;
    cancelTimers();
    gate.releaseWaiting(id);
    log.atDebug().addKeyValue("batch", id).log("The batch's runner ends: {}", why);
    // Tell the supervisor first, so a retry-failed that reopens the batch right now deploys a new
    // runner; until the consumer is gone this one answers from its last snapshot (answerAfterEnd).
    listener.ended(id, this, lostIt, why);
    MessageConsumer<ControlRequest> c = consumer;
    if (c != null) {
      c.unregister();
    }
  }

  private void cancelTimers() {
    if (watchTimer >= 0) {
      vertx.cancelTimer(watchTimer);
      watchTimer = -1;
    }
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
      flushTimer = -1;
    }
    delayed.values().forEach(vertx::cancelTimer);
    delayed.clear();
  }
}
