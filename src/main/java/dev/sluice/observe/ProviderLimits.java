package dev.sluice.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider's limits as they bite: dispatches that waited for its rate limit, and the state of its
 * circuit breaker. The meters exist from the start with the values the simulated provider honestly
 * has (no waits, circuit closed); the provider gate and the real provider report here.
 */
public final class ProviderLimits {

  /** The states of a provider's circuit breaker, exported as 0, 1 and 2. */
  public enum CircuitState {
    CLOSED(0),
    HALF_OPEN(1),
    OPEN(2);

    final int value;

    CircuitState(int value) {
      this.value = value;
    }
  }

  private final Counter waits;
  private final Counter waitSeconds;
  private final AtomicInteger circuit = new AtomicInteger(CircuitState.CLOSED.value);

  ProviderLimits(MeterRegistry registry, String provider) {
    waits =
        Counter.builder("sluice.provider.rate.limit.waits")
            .description("Times a dispatch waited for the provider's rate limit.")
            .tag("provider", provider)
            .register(registry);
    waitSeconds =
        Counter.builder("sluice.provider.rate.limit.wait")
            .description("Time dispatches spent waiting for the provider's rate limit.")
            .baseUnit("seconds")
            .tag("provider", provider)
            .register(registry);
    Gauge.builder("sluice.provider.circuit.state", circuit, AtomicInteger::get)
        .description("The provider's circuit breaker: 0 closed, 1 half-open, 2 open.")
        .tag("provider", provider)
        .register(registry);
  }

  /** A dispatch waited this long for the provider's rate limit. */
  public void rateLimitWaited(Duration waited) {
    waits.increment();
    waitSeconds.increment(waited.toNanos() / 1e9);
  }

  /** The provider's circuit breaker is now in this state. */
  public void circuit(CircuitState state) {
    circuit.set(state.value);
  }
}
