package dev.sluice.batch;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationException;
import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * One attempt that ended and waits for its commit: the item, and the generation or the failure,
 * with what the commit stores of them.
 */
record Finished(PendingItem item, @Nullable Generation generation, @Nullable Throwable failure) {

  /** How the attempt ended, as the state machine sees it. */
  ItemOutcome outcome() {
    if (generation != null) {
      return new ItemOutcome.Succeeded();
    }
    if (failure instanceof GenerationException g) {
      return new ItemOutcome.Failed(g.kind() == GenerationException.Kind.RETRYABLE, g.retryAfter());
    }
    return new ItemOutcome.Failed(true, null);
  }

  /** The fault that ends the whole batch (bad credentials, unknown model), if this was one. */
  @Nullable String batchFault() {
    return failure instanceof GenerationException g && g.kind() == GenerationException.Kind.BATCH
        ? g.getMessage()
        : null;
  }

  @Nullable String output() {
    return generation == null ? null : generation.text();
  }

  @Nullable JsonObject error() {
    Throwable t = failure;
    if (t == null) {
      return null;
    }
    String code = t instanceof GenerationException g ? g.code() : "internal";
    return new JsonObject().put("code", code).put("message", String.valueOf(t.getMessage()));
  }

  @Nullable ItemUsage usage() {
    Generation g = generation;
    return g == null
        ? null
        : new ItemUsage(g.promptTokens(), g.completionTokens(), g.finishReason());
  }

  TokenUsage tokens() {
    Generation g = generation;
    return g == null
        ? TokenUsage.NONE
        : TokenUsage.NONE.plus(g.promptTokens(), g.completionTokens());
  }
}
