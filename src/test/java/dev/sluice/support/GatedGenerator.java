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
 * A generator whose calls stay in flight until the test releases them, so a test can hold items
 * in progress while it pauses or cancels. Items whose prompt contains one of the {@code failing}
 * markers fail with a non-retryable error when released.
 */
public final class GatedGenerator implements Generator {

  private record Call(GenerationRequest request, Context context, Promise<Generation> promise) {}

  private final Map<String, Call> waiting = new ConcurrentHashMap<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Promise<Generation> promise = Promise.promise();
    Context context = Vertx.currentContext();
    waiting.put(request.batchId() + "/" + request.seq(), new Call(request, context, promise));
    return promise.future();
  }

  /** Items whose prompt contains this text fail when released. */
  public GatedGenerator failWhenPromptContains(String marker) {
    failing.add(marker);
    return this;
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

  private void complete(Call call) {
    String prompt = call.request().prompt();
    if (failing.stream().anyMatch(prompt::contains)) {
      call.promise().fail(new GenerationException(GenerationException.Kind.ITEM, "refused: " + prompt, null));
    } else {
      call.promise().complete(new Generation("Answer to: " + prompt, "stop", 3, 5));
    }
  }
}
