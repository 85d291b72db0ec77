package dev.sluice.api;

import dev.sluice.batch.NewBatch;
import dev.sluice.http.StreamedBody;
import io.vertx.core.Future;

/**
 * A create body read as it arrives: it takes the body a piece at a time, hands its items to an
 * {@link ItemIntake}, and once the body is over says what batch it describes, or why none.
 */
interface CreateBody extends StreamedBody.Sink {

  /**
   * The batch the body describes, once it has all been read; fails with the first refusal, in the
   * order a whole-body reader would find them: not JSON, text that cannot be stored, then the
   * fields, the items, the deadline.
   */
  Future<NewBatch> batch(CreateRequest request);

  /** The body is refused for another reason, or its client went away: nothing is stored. */
  void abandon();
}
