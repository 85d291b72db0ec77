package dev.sluice.api;

import dev.sluice.batch.ControlResult;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The encoded view of the last accepted control's batch. A runner stores every control queued on a
 * batch in one commit and answers them all with the same {@link ControlResult.Done}, so a crowd of
 * controls on one batch shares one view and one encoding instead of building its own each.
 */
final class DoneViews {

  private record Encoded(ControlResult.Done done, String json) {}

  private final AtomicReference<Encoded> last = new AtomicReference<>();

  /** The view of the batch this answer carries, as JSON; encoded once per answer object. */
  @SuppressWarnings("ReferenceEquality") // the same answer object, not an equal one
  String encode(ControlResult.Done done) {
    Encoded seen = last.get();
    if (seen != null && seen.done() == done) {
      return seen.json();
    }
    String json = BatchViews.batch(done.batch()).encode();
    last.set(new Encoded(done, json));
    return json;
  }
}
