package dev.sluice.generate;

import dev.sluice.generate.ProviderGate.BreakerListener;
import dev.sluice.generate.ProviderGate.BreakerState;
import dev.sluice.generate.ProviderGate.Outcome;
import dev.sluice.observe.ProviderLimits;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider gate's circuit breaker. A run of failures opens it: the batches using the provider
 * are held (paused) and nothing is granted. After the cool-down it is half-open: exactly one real
 * request goes through (one waiting at the gate, or else one from a held batch resumed for it), and
 * the request is the probe. Its answer closes the breaker and resumes the held batches; its failure
 * opens it for another cool-down. Any answer at all, even to a request sent before it opened,
 * closes it: the provider is back. It lives on the gate's context; only {@link #waiting} is read
 * from elsewhere.
 */
final class Breaker {

  private static final Logger log = LoggerFactory.getLogger(Breaker.class);

  /** What the breaker needs from its gate. */
  interface Gate {
    /** Batches with requests in flight or waiting now. */
    Set<UUID> busyBatches();

    /** Those, and batches granted a request lately. */
    Set<UUID> recentBatches();

    /** Grants what may be granted now. */
    void drain();

    /** Runs an action on the gate's context. */
    void onContext(Runnable action);
  }

  private record Wait(Instant since, int probesFailed) {}

  private final Vertx vertx;
  private final GateSettings settings;
  private final ProviderLimits limits;
  private final Gate gate;
  private @Nullable BreakerListener listener;

  private final Map<UUID, Wait> held = new ConcurrentHashMap<>();
  private final ArrayDeque<UUID> probeTurns = new ArrayDeque<>();
  private volatile BreakerState state = BreakerState.CLOSED;
  private volatile @Nullable Instant nextProbeAt;
  private @Nullable Object trial;
  private int failuresInARow;
  private long timer = -1;

  Breaker(Vertx vertx, GateSettings settings, ProviderLimits limits, Gate gate) {
    this.vertx = vertx;
    this.settings = settings;
    this.limits = limits;
    this.gate = gate;
  }

  void listen(BreakerListener listener) {
    this.listener = listener;
  }

  BreakerState state() {
    return state;
  }

  /** Whether a request may be granted now: closed, or half-open with no probe under way. */
  boolean mayGrant() {
    return state == BreakerState.CLOSED || (state == BreakerState.HALF_OPEN && trial == null);
  }

  /** A request was granted; while half-open it is the probe. */
  void granted(Object request) {
    if (state == BreakerState.HALF_OPEN && trial == null) {
      trial = request;
      log.info("provider circuit breaker half-open: one request tries the provider");
    }
  }

  /** How a granted request ended. */
  void ended(Object request, Outcome outcome) {
    boolean probe = request == trial;
    if (probe) {
      trial = null;
    }
    if (settings.breakerFailures() <= 0 || outcome == Outcome.UNUSED) {
      return;
    }
    if (outcome == Outcome.ANSWERED) {
      failuresInARow = 0;
      if (state != BreakerState.CLOSED) {
        close();
      }
    } else if (state == BreakerState.CLOSED && ++failuresInARow >= settings.breakerFailures()) {
      open(failuresInARow + " provider failures in a row");
    } else if (probe) {
      held.replaceAll((id, w) -> new Wait(w.since(), w.probesFailed() + 1));
      open("the probe request failed");
    }
  }

  /**
   * Takes over batches a breaker paused before this process started: with the provider's state
   * unknown, the next request tries it at once. Without a breaker they are resumed.
   */
  void adopt(Set<UUID> batches) {
    BreakerListener l = listener;
    if (batches.isEmpty() || l == null) {
      return;
    }
    if (settings.breakerFailures() <= 0) {
      l.closed(batches);
      return;
    }
    Instant now = Instant.now();
    batches.forEach(b -> held.putIfAbsent(b, new Wait(now, 0)));
    log.info(
        "{} batches paused for the provider before the start wait for it again", batches.size());
    if (state == BreakerState.CLOSED) {
      halfOpen();
    }
  }

  /** How a batch waits for the provider, when the breaker holds it. */
  Optional<ProviderWait> waiting(UUID batchId) {
    Wait w = held.get(batchId);
    BreakerState s = state;
    if (w == null || s == BreakerState.CLOSED) {
      return Optional.empty();
    }
    String name = s == BreakerState.OPEN ? "open" : "half_open";
    return Optional.of(new ProviderWait(name, w.since(), w.probesFailed(), nextProbeAt));
  }

  private void open(String why) {
    state = BreakerState.OPEN;
    limits.circuit(ProviderLimits.CircuitState.OPEN);
    Instant now = Instant.now();
    Set<UUID> active = new HashSet<>(gate.recentBatches());
    active.removeAll(held.keySet());
    active.addAll(gate.busyBatches());
    active.forEach(b -> held.putIfAbsent(b, new Wait(now, 0)));
    log.warn("provider circuit breaker opened ({}); pausing {} batches", why, active.size());
    BreakerListener l = listener;
    if (l != null && !active.isEmpty()) {
      l.opened(Set.copyOf(active));
    }
    long cooldown = Math.max(1, settings.breakerCooldown().toMillis());
    nextProbeAt = now.plusMillis(cooldown);
    schedule(cooldown, this::halfOpen);
  }

  private void halfOpen() {
    state = BreakerState.HALF_OPEN;
    limits.circuit(ProviderLimits.CircuitState.HALF_OPEN);
    nextProbeAt = null;
    gate.drain();
    askForProbe();
  }

  /**
   * With no request waiting, asks a held batch to resume so that one of its requests is the probe;
   * asks again, the next batch, after each cool-down that passes without one.
   */
  private void askForProbe() {
    if (state != BreakerState.HALF_OPEN) {
      return;
    }
    schedule(Math.max(1, settings.breakerCooldown().toMillis()), this::askForProbe);
    if (trial != null || held.isEmpty()) {
      return;
    }
    probeTurns.removeIf(id -> !held.containsKey(id));
    held.keySet().stream().filter(id -> !probeTurns.contains(id)).forEach(probeTurns::addLast);
    UUID batch = probeTurns.pollFirst();
    BreakerListener l = listener;
    if (batch == null || l == null) {
      return;
    }
    probeTurns.addLast(batch);
    l.probe(batch)
        .onComplete(
            ar ->
                gate.onContext(
                    () -> {
                      if (ar.succeeded() && !ar.result()) {
                        held.remove(batch);
                        askForProbe();
                      }
                    }));
  }

  private void close() {
    state = BreakerState.CLOSED;
    limits.circuit(ProviderLimits.CircuitState.CLOSED);
    failuresInARow = 0;
    trial = null;
    nextProbeAt = null;
    cancelTimer();
    Set<UUID> resume = Set.copyOf(held.keySet());
    held.clear();
    probeTurns.clear();
    log.info("provider answers again: circuit breaker closed; resuming {} batches", resume.size());
    BreakerListener l = listener;
    if (l != null && !resume.isEmpty()) {
      l.closed(resume);
    }
    gate.drain();
  }

  private void schedule(long millis, Runnable action) {
    cancelTimer();
    timer =
        vertx.setTimer(
            millis,
            t -> {
              timer = -1;
              action.run();
            });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
