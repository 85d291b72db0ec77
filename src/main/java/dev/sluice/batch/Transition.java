package dev.sluice.batch;

import org.jspecify.annotations.Nullable;

/** One change of a batch's state, as written to its history. */
public record Transition(BatchStatus from, BatchStatus to, String actor, @Nullable String reason) {}
