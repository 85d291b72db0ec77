package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The node's clock of its leases: a lapse after a claim makes the node distrust its view of the
 * cluster for a while (docs/architecture.md, "Failover"); a slow start before any claim does not.
 */
class LeaseClockTest {

  private static final Duration TTL = Duration.ofMillis(200);
  private static final long TWO_LEASES = Duration.ofSeconds(10).toNanos();

  @Test
  @DisplayName("A start slower than a lease, before any claim, is not a lapse")
  void slowStart() {
    LeaseClock clock = new LeaseClock(TTL, () -> {});
    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.held());

    clock.renewed(System.nanoTime());

    assertThat(clock.held()).isTrue();
    assertThat(clock.steadyFor(TWO_LEASES)).isTrue();
  }

  @Test
  @DisplayName("Leases that ran out after a claim leave the node unsteady once renewed")
  void lapseAfterClaim() {
    LeaseClock clock = new LeaseClock(TTL, () -> {});
    clock.renewed(System.nanoTime());
    assertThat(clock.steadyFor(TWO_LEASES)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.held());

    clock.renewed(System.nanoTime());

    assertThat(clock.held()).isTrue();
    assertThat(clock.steadyFor(TWO_LEASES)).isFalse();
  }

  @Test
  @DisplayName(
      "After a lapse a node trusts its view while it sees another member, never while it sees itself alone or its leases are out")
  void viewAfterLapse() {
    LeaseClock clock = new LeaseClock(TTL, () -> {});
    clock.renewed(System.nanoTime());
    assertThat(clock.trustsView(1, TWO_LEASES)).as("steady, even alone").isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.held());

    assertThat(clock.trustsView(3, TWO_LEASES)).as("leases out").isFalse();

    clock.renewed(System.nanoTime());

    assertThat(clock.trustsView(2, TWO_LEASES)).as("renewed, another member seen").isTrue();
    assertThat(clock.trustsView(1, TWO_LEASES)).as("renewed, alone").isFalse();
  }

  @Test
  @DisplayName(
      "Only a renewal brings a clock that ran out back, and then wakes the runners; a claim keeps a clock that holds")
  void onlyRenewalRevives() {
    AtomicInteger woken = new AtomicInteger();
    LeaseClock clock = new LeaseClock(TTL, woken::incrementAndGet);
    clock.claimed(System.nanoTime(), 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.held());
    clock.claimed(System.nanoTime(), 3);
    assertThat(clock.held()).as("a first claim starts the clock").isTrue();
    assertThat(woken).hasValue(0);

    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.held());
    clock.claimed(System.nanoTime(), 5);
    assertThat(clock.held()).as("a later claim does not bring the clock back").isFalse();

    clock.renewed(System.nanoTime());
    assertThat(clock.held()).isTrue();
    assertThat(woken).as("the runners are woken once").hasValue(1);

    clock.renewed(System.nanoTime());
    clock.claimed(System.nanoTime(), 1);
    assertThat(woken).as("nothing to wake while the clock holds").hasValue(1);
  }
}
