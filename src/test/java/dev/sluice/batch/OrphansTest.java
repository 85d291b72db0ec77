package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bookkeeping of batches without a runner: due at once, then a doubling backoff, capped. */
class OrphansTest {

  private final UUID a = UUID.randomUUID();
  private final UUID b = UUID.randomUUID();

  @Test
  @DisplayName("The backoff doubles from a quarter second and never exceeds four seconds")
  void backoffIsCapped() {
    assertThat(Orphans.backoff(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(Orphans.backoff(2)).isEqualTo(Duration.ofMillis(500));
    assertThat(Orphans.backoff(4)).isEqualTo(Duration.ofSeconds(2));
    assertThat(Orphans.backoff(5)).isEqualTo(Duration.ofSeconds(4));
    assertThat(Orphans.backoff(1_000)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  @DisplayName("A lost batch is due at once, waits after each failure, and keeps being tried")
  void failedRecoveriesAreRetried() {
    Orphans orphans = new Orphans();
    orphans.lost(a, 1_000, "a write failed");

    assertThat(orphans.due(1_000)).containsExactly(a);
    for (int attempt = 1; attempt <= 20; attempt++) {
      long now = 1_000 + attempt * 10_000L;
      orphans.failed(a, now, "the database is away");
      assertThat(orphans.due(now)).as("attempt %d waits", attempt).isEmpty();
      assertThat(orphans.due(now + Orphans.MAX_RETRY.toMillis())).containsExactly(a);
    }
    Orphans.Orphan o = orphans.get(a).orElseThrow();
    assertThat(o.attempts()).isEqualTo(20);
    assertThat(o.since()).isEqualTo(1_000);
    assertThat(o.why()).isEqualTo("the database is away");
  }

  @Test
  @DisplayName("Losing a batch again keeps when it was first lost; settling forgets it")
  void lostAgainKeepsSince() {
    Orphans orphans = new Orphans();
    orphans.lost(a, 100, "first");
    orphans.lost(b, 200, "other");
    orphans.failed(a, 300, "still down");
    orphans.lost(a, 400, "again");

    assertThat(orphans.get(a).orElseThrow().since()).isEqualTo(100);
    assertThat(orphans.due(400)).containsExactlyInAnyOrder(a, b);
    assertThat(orphans.oldest().orElseThrow().batchId()).isEqualTo(a);
    orphans.settled(a);
    assertThat(orphans.count()).isEqualTo(1);
    assertThat(orphans.contains(a)).isFalse();
  }
}
