package dev.sluice.generate;

import io.vertx.core.Future;

/**
 * Turns one item into text. The future fails with a {@link GenerationException} that says whether
 * trying again may help; it must complete on the caller's context.
 */
public interface Generator {

  Future<Generation> generate(GenerationRequest request);
}
