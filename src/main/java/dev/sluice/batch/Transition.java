package dev.sluice.batch;

import org.jspecify.annotations.Nullable;

/** One change of a batch's state, as written to its history. */
public record Transition(BatchStatus from, BatchStatus to, String actor, @Nullable String reason) {

  private static final String CREATED = "created";

  /** The first entry of every history: the batch was created, running, by its owner. */
  static Transition created(String owner) {
    return new Transition(BatchStatus.RUNNING, BatchStatus.RUNNING, owner, CREATED);
  }

  /** Where the batch came from, as the history writes it: {@code created} for the first entry. */
  String fromWire() {
    return from == to && CREATED.equals(reason) ? CREATED : from.wire();
  }
}
