package dev.sluice.api;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Who asks for a new batch and how the request is known: the batch's id (its draft's), the owner,
 * the idempotency key if one was sent, and the hash that tells a replay from another request (null
 * without a key, when there is nothing to replay).
 */
record CreateRequest(
    UUID id, String owner, @Nullable String idempotencyKey, @Nullable String requestHash) {}
