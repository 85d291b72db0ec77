package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Slots with answers waiting for their commit (docs/architecture.md, "A result"): an answered item
 * frees its slot at once, yet no more attempts than the concurrency ever run at the same time.
 */
class SlotsProperties {

  @Property(tries = 2_000)
  @Label("Answered items free their slots; generating items never exceed the concurrency")
  void answeredItemsFreeTheirSlots(
      @ForAll @IntRange(min = 0, max = 50) int pending,
      @ForAll @IntRange(min = 0, max = 50) int inProgress,
      @ForAll @IntRange(min = 0, max = 60) int answered,
      @ForAll @IntRange(min = 1, max = 40) int concurrency,
      @ForAll boolean running) {
    Counts counts = new Counts(pending + inProgress, pending, inProgress, 0, 0, 0);
    BatchStatus status = running ? BatchStatus.RUNNING : BatchStatus.PAUSED;
    BatchSnapshot s = new BatchSnapshot(UUID.randomUUID(), status, null, counts, concurrency, 3, 1);
    int slots = BatchMachine.slots(s, answered);
    int generating = inProgress - Math.min(answered, inProgress);

    if (!running) {
      assertThat(slots).isZero();
      return;
    }
    assertThat(slots).isBetween(0, pending);
    assertThat(generating + slots).isLessThanOrEqualTo(Math.max(concurrency, generating));
    assertThat(slots).isGreaterThanOrEqualTo(BatchMachine.slots(s));
    if (pending > 0 && generating < concurrency) {
      assertThat(slots).as("room left and work pending: something may start").isPositive();
    }
    BatchSnapshot after = BatchMachine.dispatched(s, slots, answered);
    assertThat(after.counts().inProgress()).isEqualTo(inProgress + slots);
    assertThatThrownBy(() -> BatchMachine.dispatched(s, slots + 1, answered))
        .isInstanceOf(IllegalStateException.class);
  }
}
