package dev.sluice.batch;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationException;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import dev.sluice.generate.OutputSchema;
import dev.sluice.generate.ProviderGate;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of an item at the generator: it hands the permit back to the provider gate with how
 * the provider answered, and checks the answer against the batch's output schema (on a worker
 * thread) before it counts as a success.
 */
final class Attempt {

  private Attempt() {}

  static Future<Generation> run(
      Generator generator,
      GenerationRequest request,
      ProviderGate.Permit permit,
      BatchMeter meter,
      @Nullable OutputSchema schema,
      Vertx vertx) {
    long started = System.nanoTime();
    Future<Generation> result;
    try {
      result = generator.generate(request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> permit.release(gateOutcome(ar), tokensUsed(ar), providerNanos(ar)));
    meter.generating(result, started);
    if (schema != null) {
      result = result.compose(generation -> schema.check(vertx, generation.text()).map(generation));
    }
    return result;
  }

  private static ProviderGate.Outcome gateOutcome(AsyncResult<Generation> ar) {
    if (ar.succeeded()) {
      return ProviderGate.Outcome.ANSWERED;
    }
    if (ar.cause() instanceof GenerationException g) {
      if (g.kind() != GenerationException.Kind.RETRYABLE) {
        return ProviderGate.Outcome.ANSWERED;
      }
      if (g.rateLimited()) {
        return ProviderGate.Outcome.RATE_LIMITED;
      }
    }
    return ProviderGate.Outcome.FAILED;
  }

  private static long providerNanos(AsyncResult<Generation> ar) {
    return ar.succeeded() ? TimeUnit.MILLISECONDS.toNanos(ar.result().providerMillis()) : 0;
  }

  private static long tokensUsed(AsyncResult<Generation> ar) {
    return ar.succeeded() ? ar.result().promptTokens() + ar.result().completionTokens() : 0;
  }
}
