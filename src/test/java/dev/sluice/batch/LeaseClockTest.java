package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The node's clock of its leases: a lapse after a claim makes the node distrust its view of the
 * cluster for a while (docs/architecture.md, "Failover"); a slow start before any claim does not.
 */
class LeaseClockTest {

  private static final Duration TTL = Duration.ofMillis(50);
  private static final long TWO_LEASES = Duration.ofSeconds(10).toNanos();

  @Test
  @DisplayName("A start slower than a lease, before any claim, is not a lapse")
  void slowStart() {
    LeaseClock clock = new LeaseClock(TTL);
    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.held());

    clock.extended(System.nanoTime());

    assertThat(clock.held()).isTrue();
    assertThat(clock.steadyFor(TWO_LEASES)).isTrue();
  }

  @Test
  @DisplayName("Leases that ran out after a claim leave the node unsteady once renewed")
  void lapseAfterClaim() {
    LeaseClock clock = new LeaseClock(TTL);
    clock.extended(System.nanoTime());
    assertThat(clock.steadyFor(TWO_LEASES)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.held());

    clock.extended(System.nanoTime());

    assertThat(clock.held()).isTrue();
    assertThat(clock.steadyFor(TWO_LEASES)).isFalse();
  }
}
