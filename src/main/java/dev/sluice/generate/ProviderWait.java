package dev.sluice.generate;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a batch held by the provider's circuit breaker is waiting: the breaker's state ({@code open}
 * while it cools down, {@code half_open} while one real request tries the provider), since when the
 * batch has waited, how many of those tries failed, and when the next one is due (null while one is
 * under way).
 */
public record ProviderWait(
    String breaker, Instant since, int probesFailed, @Nullable Instant nextProbeAt) {}
