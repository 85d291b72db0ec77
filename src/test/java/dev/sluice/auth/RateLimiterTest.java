package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  @DisplayName(
      "A bucket allows a minute's worth at once, then one request per refill, and says how long"
          + " to wait")
  void bucket() {
    AtomicLong now = new AtomicLong(0);
    RateLimiter limiter = new RateLimiter(6, now::get);
    for (int i = 0; i < 6; i++) {
      assertThat(limiter.take("alice")).isZero();
    }
    assertThat(limiter.take("alice")).isEqualTo(10);
    assertThat(limiter.take("bob")).isZero();
    now.addAndGet(9 * SECOND);
    assertThat(limiter.take("alice")).isEqualTo(1);
    now.addAndGet(SECOND);
    assertThat(limiter.take("alice")).isZero();
    assertThat(limiter.take("alice")).isEqualTo(10);
  }

  @Test
  @DisplayName("A rate of 0 never refuses")
  void unlimited() {
    RateLimiter limiter = new RateLimiter(0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(limiter.take("alice")).isZero();
    }
  }
}
