package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunnerWatchTest {

  private final List<AtomicInteger> asked = new ArrayList<>();

  private Collection<Runnable> runners() {
    return asked.stream().<Runnable>map(a -> a::incrementAndGet).toList();
  }

  @Test
  @DisplayName("Each runner is asked once a period, a tenth of them a tick")
  void everyRunnerOncePerPeriod() {
    for (int i = 0; i < 1_003; i++) {
      asked.add(new AtomicInteger());
    }
    RunnerWatch watch = new RunnerWatch(this::runners);

    watch.tick();
    assertThat(asked.stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(100);
    for (int t = 1; t < RunnerWatch.SLICES; t++) {
      watch.tick();
    }

    assertThat(asked).allSatisfy(a -> assertThat(a.get()).isEqualTo(1));
    assertThat(RunnerWatch.tickMillis() * RunnerWatch.SLICES).isEqualTo(RunnerWatch.PERIOD_MS);
  }

  @Test
  @DisplayName("A runner that arrives during a round is asked from the next round on")
  void newRunnersJoinTheNextRound() {
    for (int i = 0; i < 20; i++) {
      asked.add(new AtomicInteger());
    }
    RunnerWatch watch = new RunnerWatch(this::runners);
    watch.tick();
    AtomicInteger late = new AtomicInteger();
    asked.add(late);
    for (int t = 1; t < RunnerWatch.SLICES; t++) {
      watch.tick();
    }
    assertThat(late.get()).isZero();

    for (int t = 0; t < RunnerWatch.SLICES; t++) {
      watch.tick();
    }

    assertThat(late.get()).isEqualTo(1);
    assertThat(asked.subList(0, 20)).allSatisfy(a -> assertThat(a.get()).isEqualTo(2));
  }
}
