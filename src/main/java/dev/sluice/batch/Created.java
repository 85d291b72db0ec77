package dev.sluice.batch;

/**
 * Outcome of storing a new batch: created, or the batch an earlier request with the same
 * idempotency key made ({@code replayed} when the request was the same, {@code keyConflict} when
 * the key was used for a different request).
 */
public record Created(BatchRecord batch, boolean replayed, boolean keyConflict) {}
