package dev.sluice.generate;

import dev.sluice.observe.ProviderLimits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flow control towards one provider, shared by every batch of a node: a concurrency limit that
 * halves on 429s and grows back by one per limit's worth of successes (AIMD), request and token
 * limits over a sliding window, round-robin service across batches so a huge batch cannot starve a
 * small one, and a circuit breaker ({@link Breaker}) that asks the batches using the provider to
 * pause after a run of failures and, once one real request gets an answer again, to resume. All
 * state lives on the gate's own context; with no limit configured, permits are granted at once on
 * the caller's thread.
 */
public final class ProviderGate {

  private static final Logger log = LoggerFactory.getLogger(ProviderGate.class);

  /** How a permitted request ended, as far as the provider's health is concerned. */
  public enum Outcome {
    /** The provider answered (even if it refused the item). */
    ANSWERED,
    /** The provider said 429. */
    RATE_LIMITED,
    /** The provider failed: 5xx, timeout, broken connection or answer. */
    FAILED,
    /** The permit was not used for a request. */
    UNUSED
  }

  /** The breaker's states. */
  public enum BreakerState {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  /** Leave to send one request; release it exactly once. */
  public interface Permit {
    /**
     * Gives the permit back with how the request ended, the tokens it used, and how long the
     * provider said it worked on it (0 when unknown), which tells when the request must have
     * arrived.
     */
    void release(Outcome outcome, long tokensUsed, long providerNanos);

    default void release(Outcome outcome, long tokensUsed) {
      release(outcome, tokensUsed, 0);
    }
  }

  /**
   * Told when the breaker opens (pause these batches), wants a request to try the provider with
   * (resume this batch, which it paused, so that it sends one), and closes (resume those it
   * paused).
   */
  public interface BreakerListener {
    void opened(Set<UUID> batches);

    /**
     * Resumes a batch the breaker paused so that it sends the probe request; true if it will, false
     * if the batch no longer waits for the provider (it finished, or someone paused it).
     */
    Future<Boolean> probe(UUID batch);

    void closed(Set<UUID> batches);
  }

  /** A waiting request was dropped because its batch stopped dispatching. */
  public static final class Released extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Released() {
      super("released: the batch stopped dispatching", null, false, false);
    }
  }

  private static final class Waiter {
    final UUID batchId;
    final long tokens;
    final Promise<Permit> promise;
    final long queued = System.nanoTime();
    boolean heldByWindow;

    Waiter(UUID batchId, long tokens, Promise<Permit> promise) {
      this.batchId = batchId;
      this.tokens = tokens;
      this.promise = promise;
    }
  }

  private static final Permit FREE = (outcome, tokens, providerNanos) -> {};

  private final Vertx vertx;
  private final Context context;
  private final GateSettings settings;
  private final long windowNanos;
  private final ProviderLimits limits;
  private final Breaker breaker;

  private final Map<UUID, ArrayDeque<Waiter>> waiting = new LinkedHashMap<>();
  private final ArrayDeque<UUID> turns = new ArrayDeque<>();
  private final RequestWindow window;
  private final Map<UUID, Integer> inFlightByBatch = new HashMap<>();
  private final Map<UUID, Long> lastGrant = new HashMap<>();
  private int inFlight;
  private double limit;
  private int successes;
  private long lastDecrease;
  private long wakeTimer = -1;
  private volatile int members = 1;
  private final AtomicLong rateLimitWaits = new AtomicLong();

  public ProviderGate(Vertx vertx, GateSettings settings, ProviderLimits limits) {
    this.limits = limits;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.windowNanos = settings.window().toNanos();
    this.window = new RequestWindow(settings);
    this.limit = settings.maxConcurrency();
    this.breaker = new Breaker(vertx, settings, limits, new BreakerGate());
  }

  /** Sets who is told about the breaker; call before the first request. */
  public void listen(BreakerListener listener) {
    breaker.listen(listener);
  }

  /**
   * Whether {@link #acquire} uses its token estimate: only a token window counts tokens, so without
   * one a caller need not render the prompt to estimate them (it passes 0).
   */
  public boolean countsTokens() {
    return settings.tokensPerWindow() > 0;
  }

  /** Asks leave to send one request for a batch, estimated at {@code tokens} tokens. */
  public Future<Permit> acquire(UUID batchId, long tokens) {
    if (!settings.limited() && settings.breakerFailures() == 0) {
      return Future.succeededFuture(FREE);
    }
    Promise<Permit> promise = Promise.promise();
    onContext(
        () -> {
          ArrayDeque<Waiter> queue = waiting.computeIfAbsent(batchId, b -> new ArrayDeque<>());
          if (queue.isEmpty()) {
            turns.addLast(batchId);
          }
          queue.addLast(new Waiter(batchId, tokens, promise));
          drain();
        });
    return promise.future();
  }

  /**
   * Drops every waiting request of a batch (it paused or was cancelled); they fail with Released.
   */
  public void releaseWaiting(UUID batchId) {
    if (!settings.limited() && settings.breakerFailures() == 0) {
      return;
    }
    onContext(
        () -> {
          ArrayDeque<Waiter> queue = waiting.remove(batchId);
          turns.remove(batchId);
          if (queue != null) {
            queue.forEach(w -> w.promise.tryFail(new Released()));
          }
        });
  }

  public BreakerState breakerState() {
    return breaker.state();
  }

  /** Hands the breaker batches it paused before this process started (see {@link Breaker}). */
  public void hold(Set<UUID> batches) {
    onContext(() -> breaker.adopt(batches));
  }

  /** How a batch waits for the provider, while the circuit breaker holds it; readable anywhere. */
  public Optional<ProviderWait> waiting(UUID batchId) {
    return breaker.waiting(batchId);
  }

  /** How many times a request had to wait for the request or token window. */
  public long rateLimitWaits() {
    return rateLimitWaits.get();
  }

  /**
   * The provider's limits are per API key, not per node: with {@code n} live members each node
   * starts at most its share (limit ÷ n, rounded down, at least one) per window, so together they
   * stay under the limit. Called whenever membership changes.
   */
  public void shareWith(int n) {
    members = Math.max(1, n);
    onContext(this::drain);
  }

  /** This node's share of a per-window limit among {@code n} nodes. */
  static long share(long limit, int n) {
    return Math.max(1, limit / Math.max(1, n));
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void drain() {
    while (!turns.isEmpty() && breaker.mayGrant()) {
      if (settings.maxConcurrency() > 0 && inFlight >= (int) limit) {
        return;
      }
      long now = System.nanoTime();
      window.prune(now);
      UUID batch = turns.peekFirst();
      ArrayDeque<Waiter> queue = waiting.get(batch);
      Waiter next = queue == null ? null : queue.peekFirst();
      if (queue == null || next == null) {
        turns.pollFirst();
        continue;
      }
      if (window.full(next.tokens, members)) {
        if (!next.heldByWindow) {
          next.heldByWindow = true;
          rateLimitWaits.incrementAndGet();
        }
        long room = window.nanosUntilRoom(now);
        if (room >= 0) {
          wakeAt(room);
        }
        return;
      }
      turns.pollFirst();
      queue.pollFirst();
      if (queue.isEmpty()) {
        waiting.remove(batch);
      } else {
        turns.addLast(batch);
      }
      grant(next, now);
    }
  }

  private void grant(Waiter w, long now) {
    if (w.heldByWindow) {
      limits.rateLimitWaited(Duration.ofNanos(now - w.queued));
    }
    RequestWindow.Entry entry = window.open(now, w.tokens);
    inFlight++;
    inFlightByBatch.merge(w.batchId, 1, Integer::sum);
    lastGrant.put(w.batchId, now);
    breaker.granted(entry);
    boolean[] released = {false};
    Permit permit =
        (outcome, used, providerNanos) ->
            onContext(
                () -> {
                  if (!released[0]) {
                    released[0] = true;
                    release(w.batchId, entry, outcome, used, providerNanos);
                  }
                });
    if (!w.promise.tryComplete(permit)) {
      permit.release(Outcome.UNUSED, 0);
    }
  }

  private void release(
      UUID batchId, RequestWindow.Entry entry, Outcome outcome, long used, long providerNanos) {
    inFlight--;
    inFlightByBatch.computeIfPresent(batchId, (b, n) -> n > 1 ? n - 1 : null);
    window.close(entry, outcome != Outcome.UNUSED, used, providerNanos);
    adapt(outcome);
    breaker.ended(entry, outcome);
    drain();
  }

  private void wakeAt(long delayNanos) {
    if (wakeTimer >= 0) {
      return;
    }
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos) + 1);
    wakeTimer =
        vertx.setTimer(
            millis,
            t -> {
              wakeTimer = -1;
              drain();
            });
  }

  /** Additive increase, multiplicative decrease of the concurrency limit. */
  private void adapt(Outcome outcome) {
    if (settings.maxConcurrency() <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (outcome == Outcome.RATE_LIMITED && now - lastDecrease > TimeUnit.SECONDS.toNanos(1)) {
      limit = Math.max(settings.minConcurrency(), Math.floor(limit / 2));
      lastDecrease = now;
      successes = 0;
      log.info("provider limit lowered to {} after a 429", (int) limit);
    } else if (outcome == Outcome.ANSWERED
        && limit < settings.maxConcurrency()
        && ++successes >= limit) {
      limit = Math.min(settings.maxConcurrency(), limit + 1);
      successes = 0;
    }
  }

  /** The current concurrency limit (it adapts between the configured bounds). */
  public int concurrencyLimit() {
    return (int) limit;
  }

  /** What the breaker sees of the gate. */
  private final class BreakerGate implements Breaker.Gate {
    @Override
    public Set<UUID> busyBatches() {
      Set<UUID> busy = new HashSet<>(inFlightByBatch.keySet());
      busy.addAll(waiting.keySet());
      return busy;
    }

    @Override
    public Set<UUID> recentBatches() {
      long since = System.nanoTime() - settings.breakerCooldown().toNanos() - windowNanos;
      Set<UUID> recent = busyBatches();
      lastGrant.forEach(
          (b, at) -> {
            if (at > since) {
              recent.add(b);
            }
          });
      return recent;
    }

    @Override
    public void drain() {
      ProviderGate.this.drain();
    }

    @Override
    public void onContext(Runnable action) {
      ProviderGate.this.onContext(action);
    }
  }
}
