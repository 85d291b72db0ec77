package dev.sluice.batch;

import dev.sluice.batch.HistoryAction.Command;
import dev.sluice.batch.HistoryAction.CrashAndRecover;
import dev.sluice.batch.HistoryAction.DispatchAll;
import dev.sluice.batch.HistoryAction.FinishIfDone;
import dev.sluice.batch.HistoryAction.Outcome;
import dev.sluice.batch.HistoryAction.Settle;
import dev.sluice.batch.HistoryAction.TimerFires;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsCoverage;

/**
 * Random histories of commands, dispatches, outcomes, crashes and retry timers, played on one batch
 * through {@link BatchMachine}: {@link BatchModel} checks every step against docs/architecture.md
 * §2, and draining the batch at the end must leave every item in a final state.
 */
@Label("The batch state machine, driven by random histories")
class BatchMachineProperties {

  @Property(tries = 500)
  @Label(
      "Any history of commands, dispatches, outcomes and crashes keeps the batch consistent,"
          + " and draining it leaves every item in a final state.")
  void historiesKeepTheInvariants(
      @ForAll @IntRange(min = 1, max = 40) int items,
      @ForAll @IntRange(min = 1, max = 8) int concurrency,
      @ForAll @IntRange(min = 1, max = 4) int maxAttempts,
      @ForAll("histories") List<HistoryAction> history) {
    BatchModel model = new BatchModel(items, concurrency, maxAttempts);

    history.forEach(model::apply);
    Statistics.label("status before draining").collect(model.batch.status());
    Statistics.label("status before draining").coverage(BatchMachineProperties::everyStatus);
    model.drain();

    model.assertFinished();
  }

  /** Guards the generator: some histories must reach each state, or the checks prove little. */
  private static void everyStatus(StatisticsCoverage coverage) {
    for (BatchStatus status : BatchStatus.values()) {
      coverage.check(status).percentage(p -> p >= 0.5);
    }
  }

  /**
   * Histories of 10 to 150 actions. Cancel and fail end a batch for good, so some histories leave
   * them out: otherwise few batches would get far enough to complete and be retried.
   */
  @Provide
  Arbitrary<List<HistoryAction>> histories() {
    return Arbitraries.integers().between(0, 7).flatMap(this::histories);
  }

  /**
   * Histories with cancel when {@code endings} has bit 0 set, fail with bit 1, expire with bit 2.
   */
  private Arbitrary<List<HistoryAction>> histories(int endings) {
    Arbitrary<HistoryAction> settles =
        Combinators.combine(
                Arbitraries.integers().between(0, 1_000),
                Arbitraries.of(Outcome.class),
                Arbitraries.longs().between(0, 10_000).map(Duration::ofMillis).injectNull(0.7))
            .as(Settle::new);
    Arbitrary<HistoryAction> timers = Arbitraries.integers().between(0, 1_000).map(TimerFires::new);
    List<Tuple2<Integer, Arbitrary<HistoryAction>>> choices =
        new ArrayList<>(
            List.of(
                weighted(10, Arbitraries.just(new DispatchAll())),
                weighted(16, settles),
                weighted(3, timers),
                weighted(4, Arbitraries.just(new FinishIfDone())),
                weighted(1, Arbitraries.just(new CrashAndRecover())),
                weighted(2, command(CommandOracle.PAUSE)),
                weighted(3, command(CommandOracle.RESUME)),
                weighted(3, command(CommandOracle.RETRY_FAILED))));
    if ((endings & 1) != 0) {
      choices.add(weighted(1, command(CommandOracle.CANCEL)));
    }
    if ((endings & 2) != 0) {
      choices.add(weighted(1, command(CommandOracle.FAIL)));
    }
    if ((endings & 4) != 0) {
      choices.add(weighted(1, command(CommandOracle.EXPIRE)));
    }
    return Arbitraries.frequencyOf(choices).list().ofMinSize(10).ofMaxSize(150);
  }

  private static Tuple2<Integer, Arbitrary<HistoryAction>> weighted(
      int weight, Arbitrary<HistoryAction> a) {
    return Tuple.of(weight, a);
  }

  private static Arbitrary<HistoryAction> command(CommandOracle kind) {
    return Arbitraries.just(new Command(kind));
  }
}
