package dev.sluice.batch;

import io.vertx.core.json.JsonObject;

/** What became of a control request. */
public sealed interface ControlResult {

  /** Accepted and stored; the batch as it now stands, in the shape of the API. */
  record Done(JsonObject batch) implements ControlResult {}

  /** No such batch for this owner. */
  record Missing() implements ControlResult {}

  /** Not allowed in the batch's current state. */
  record Refused(BatchStatus current, String detail) implements ControlResult {}

  /** No runner could take it now; nothing changed, the caller may try again. */
  record Unavailable(String detail) implements ControlResult {}
}
