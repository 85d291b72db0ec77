package dev.sluice.support;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationException;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A generator whose calls stay in flight until the test releases them, so a test can hold items in
 * progress while it pauses or cancels. Items whose prompt contains one of the {@code failing}
 * markers fail with a non-retryable error when released.
 */
public final class GatedGenerator implements Generator {

  private record Call(GenerationRequest request, Context context, Promise<Generation> promise) {}

  private final java.util.concurrent.atomic.AtomicInteger calls =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Map<String, Call> waiting = new ConcurrentHashMap<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Set<String> batchFaults = ConcurrentHashMap.newKeySet();

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Promise<Generation> promise = Promise.promise();
    Context context = Vertx.currentContext();
    calls.incrementAndGet();
    waiting.put(request.batchId() + "/" + request.seq(), new Call(request, context, promise));
    return promise.future();
  }

  /** Items whose prompt contains this text fail when released. */
  public GatedGenerator failWhenPromptContains(String marker) {
    failing.add(marker);
    return this;
  }

  /** Stops failing items whose prompt contains the marker. */
  public GatedGenerator stopFailing(String marker) {
    failing.remove(marker);
    return this;
  }

  /** Items whose prompt contains this text fail with a batch-level fault (like a rejected key). */
  public GatedGenerator faultBatchWhenPromptContains(String marker) {
    batchFaults.add(marker);
    return this;
  }

  /** How many calls have been made, in flight or released. */
  public int calls() {
    return calls.get();
  }

  /** The sequence numbers of the calls in flight for one batch. */
  public java.util.List<Integer> inFlightSeqs(String batchId) {
    return waiting.values().stream()
        .filter(c -> c.request().batchId().toString().equals(batchId))
        .map(c -> c.request().seq())
        .sorted()
        .toList();
  }

  /** How many calls are in flight for one batch. */
  public int inFlight(String batchId) {
    return inFlightSeqs(batchId).size();
  }

  public int inFlight() {
    return waiting.size();
  }

  /** Completes every call in flight now; returns how many. */
  public int releaseAll() {
    int n = 0;
    for (String key : Set.copyOf(waiting.keySet())) {
      Call call = waiting.remove(key);
      if (call != null) {
        n++;
        call.context().runOnContext(v -> complete(call));
      }
    }
    return n;
  }

  /** Completes the calls in flight for one batch only; returns how many. */
  public int release(String batchId) {
    int n = 0;
    for (Map.Entry<String, Call> e : Set.copyOf(waiting.entrySet())) {
      if (e.getValue().request().batchId().toString().equals(batchId)
          && waiting.remove(e.getKey(), e.getValue())) {
        n++;
        e.getValue().context().runOnContext(v -> complete(e.getValue()));
      }
    }
    return n;
  }

  private void complete(Call call) {
    String prompt = call.request().prompt();
    if (batchFaults.stream().anyMatch(prompt::contains)) {
      call.promise()
          .fail(
              new GenerationException(
                  GenerationException.Kind.BATCH, "The provider rejected the API key.", null));
    } else if (failing.stream().anyMatch(prompt::contains)) {
      call.promise()
          .fail(new GenerationException(GenerationException.Kind.ITEM, "refused: " + prompt, null));
    } else {
      call.promise().complete(new Generation("Answer to: " + prompt, "stop", 3, 5));
    }
  }
}
