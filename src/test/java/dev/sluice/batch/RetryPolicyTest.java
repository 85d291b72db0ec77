package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The delay before an item's next attempt: it doubles with each attempt up to a cap, with jitter
 * that is the same for the same item and attempt.
 */
@DisplayName("The retry policy")
class RetryPolicyTest {

  private final RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5));

  private void assertWithinJitter(Duration delay, long rawMillis) {
    assertThat(delay.toMillis())
        .isBetween((long) Math.floor(rawMillis * 0.8), (long) Math.ceil(rawMillis * 1.2));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 41, 1_000_003})
  @DisplayName("Delays double with each attempt, within a jitter of 20% either way, until the cap.")
  void exponentialWithJitter(int seq) {
    long raw = 100;
    for (int attempt = 1; attempt <= 6; attempt++, raw *= 2) {
      assertWithinJitter(policy.delay(attempt, seq), raw);
      assertThat(policy.delay(attempt + 1, seq)).isGreaterThan(policy.delay(attempt, seq));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {7, 8, 20, 21, 63, 64, 1_000})
  @DisplayName("Delays stop growing at the cap, however many attempts were made.")
  void capped(int attempt) {
    IntStream.range(0, 50).forEach(seq -> assertWithinJitter(policy.delay(attempt, seq), 5_000));
  }

  @Test
  @DisplayName("The same item and attempt always give the same delay, and items differ.")
  void deterministic() {
    Set<Duration> distinct = new HashSet<>();
    for (int seq = 0; seq < 100; seq++) {
      Duration first = policy.delay(3, seq);
      assertThat(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5)).delay(3, seq))
          .isEqualTo(first);
      distinct.add(first);
    }
    assertThat(distinct).as("jitter spreads the items").hasSizeGreaterThan(20);
  }

  @Test
  @DisplayName("A policy whose base exceeds its cap, or is negative, is refused.")
  void invalid() {
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofMillis(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
