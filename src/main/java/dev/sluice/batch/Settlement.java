package dev.sluice.batch;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where an item goes after one attempt: its next state, its attempt count, the delay before it may
 * run again (when it went back to pending) and whether the batch was already cancelled.
 */
public record Settlement(
    BatchSnapshot next,
    ItemStatus itemStatus,
    int attempts,
    @Nullable Duration retryDelay,
    boolean afterCancel) {}
