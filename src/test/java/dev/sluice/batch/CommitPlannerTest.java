package dev.sluice.batch;

import static dev.sluice.batch.BatchStatus.CANCELLED;
import static dev.sluice.batch.BatchStatus.PAUSED;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.batch.Decision.Accepted;
import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commit planner as a table: a batch with items in flight, the attempts that ended and the
 * controls that wait, against the commit it plans (docs/architecture.md §3): a waiting control goes
 * in a commit of its own, results settle at most a group's worth, a settled batch completes, a
 * fault fails it, a spent budget pauses it, a cancel keeps what is in flight.
 */
@DisplayName("The commit planner")
class CommitPlannerTest {

  private static final long NOW = 1_000_000;
  private static final RetryPolicy POLICY =
      new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(10));

  /** How an attempt ended, in the table. */
  enum End {
    OK,
    RETRY,
    FAULT
  }

  /**
   * One row: the batch (status, pending, in flight), the attempts that ended (the first in flight),
   * the controls waiting, the group size and token budget; then the commit's transitions, how many
   * attempts it settles, each control's answer and the effects.
   */
  record Row(
      String name,
      BatchStatus status,
      int pending,
      int inFlight,
      List<End> ended,
      List<String> controls,
      int groupSize,
      @Nullable Long budget,
      List<String> transitions,
      int settles,
      List<String> answers,
      List<Effect> effects) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Row> table() {
    List<End> none = List.of();
    List<String> noControls = List.of();
    return Stream.of(
        new Row(
            "results settle, no control",
            RUNNING,
            5,
            3,
            List.of(End.OK, End.OK),
            noControls,
            100,
            null,
            List.of(),
            2,
            List.of(),
            List.of()),
        new Row(
            "a waiting control goes alone, ahead of results",
            RUNNING,
            5,
            3,
            List.of(End.OK, End.OK),
            List.of("pause"),
            100,
            null,
            List.of("running>paused"),
            0,
            List.of("ok"),
            List.of()),
        new Row(
            "controls are decided in order",
            RUNNING,
            5,
            0,
            none,
            List.of("pause", "pause", "resume", "cancel", "resume"),
            100,
            null,
            List.of("running>paused", "paused>running", "running>cancelled"),
            0,
            List.of("ok", "409", "ok", "ok", "409"),
            List.of(Effect.CANCEL_PENDING)),
        new Row(
            "a group settles at most the group size",
            RUNNING,
            0,
            4,
            List.of(End.OK, End.OK, End.OK, End.OK),
            noControls,
            3,
            null,
            List.of(),
            3,
            List.of(),
            List.of()),
        new Row(
            "the last result completes the batch",
            RUNNING,
            0,
            2,
            List.of(End.OK, End.OK),
            noControls,
            100,
            null,
            List.of("running>completed"),
            2,
            List.of(),
            List.of()),
        new Row(
            "a paused batch whose last result lands stays paused",
            PAUSED,
            0,
            1,
            List.of(End.OK),
            noControls,
            100,
            null,
            List.of(),
            1,
            List.of(),
            List.of()),
        new Row(
            "a batch-level fault fails the batch",
            RUNNING,
            5,
            2,
            List.of(End.FAULT),
            noControls,
            100,
            null,
            List.of("running>failed"),
            1,
            List.of(),
            List.of()),
        new Row(
            "a spent token budget pauses the batch once",
            RUNNING,
            5,
            2,
            List.of(End.OK),
            noControls,
            100,
            10L,
            List.of("running>paused"),
            1,
            List.of(),
            List.of()),
        new Row(
            "a retryable failure goes back to pending",
            RUNNING,
            5,
            2,
            List.of(End.RETRY),
            noControls,
            100,
            null,
            List.of(),
            1,
            List.of(),
            List.of()),
        new Row(
            "after a cancel, results still settle",
            CANCELLED,
            0,
            2,
            List.of(End.OK, End.RETRY),
            noControls,
            100,
            null,
            List.of(),
            2,
            List.of(),
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  @DisplayName("Each row plans the commit the durability rule asks for")
  void plans(Row row) {
    CommitPlanner.Input input = input(row);

    CommitPlanner.Plan plan = CommitPlanner.plan(input);

    assertThat(plan.commit().transitions())
        .extracting(t -> t.from().wire() + ">" + t.to().wire())
        .containsExactlyElementsOf(row.transitions());
    assertThat(plan.settledCount()).isEqualTo(row.settles());
    assertThat(plan.commit().settled()).hasSize(row.settles());
    assertThat(plan.decisions())
        .extracting(d -> d instanceof Accepted ? "ok" : "409")
        .containsExactlyElementsOf(row.answers());
    assertThat(plan.commit().effects()).containsExactlyElementsOf(row.effects());
    assertThat(plan.moves()).isEqualTo(!row.transitions().isEmpty());
    assertThat(plan.commit().previousVersion()).isEqualTo(input.persistedVersion());
    assertThat(plan.commit().epoch()).isEqualTo(7);
  }

  @Test
  @DisplayName(
      "A deadline that has passed expires a running batch: pending items are cancelled, those in"
          + " flight kept, and a control after it is refused")
  void deadlineExpires() {
    Row row =
        new Row(
            "deadline",
            RUNNING,
            5,
            2,
            List.of(End.OK),
            List.of("pause"),
            100,
            null,
            List.of(),
            1,
            List.of(),
            List.of());

    CommitPlanner.Plan plan = CommitPlanner.plan(input(row, NOW));

    assertThat(plan.commit().transitions())
        .extracting(t -> t.to().wire() + "/" + t.actor() + "/" + t.reason())
        .containsExactly("expired/system/deadline_passed");
    assertThat(plan.next().counts().pending()).isZero();
    assertThat(plan.next().counts().cancelled()).isEqualTo(5);
    assertThat(plan.next().counts().inProgress()).isEqualTo(2);
    assertThat(plan.commit().effects()).containsExactly(Effect.CANCEL_PENDING);
    assertThat(plan.decisions()).singleElement().isInstanceOf(Decision.Rejected.class);
    assertThat(CommitPlanner.plan(input(row, NOW + 1)).next().status())
        .as("a deadline still ahead: the pause is taken")
        .isEqualTo(PAUSED);
  }

  @Test
  @DisplayName("Planning changes nothing it is given: the lists it reads are left as they were")
  void noSideEffects() {
    Row row = table().findFirst().orElseThrow();
    CommitPlanner.Input input = input(row);
    List<Finished> finished = List.copyOf(input.finished());
    List<Integer> started = List.copyOf(input.dueMarks());

    CommitPlanner.plan(input);
    CommitPlanner.plan(input);

    assertThat(input.finished()).containsExactlyElementsOf(finished);
    assertThat(input.dueMarks()).containsExactlyElementsOf(started);
  }

  @Test
  @DisplayName(
      "Dispatched items are marked in progress by the next commit, with results or with a control")
  void startedMarksRideWithEveryCommit() {
    Row results = table().toList().get(0);
    Row control = table().toList().get(1);

    CommitPlanner.Plan withResults = CommitPlanner.plan(input(results));
    CommitPlanner.Plan withControl = CommitPlanner.plan(input(control));

    assertThat(withResults.commit().started()).containsExactly(3);
    assertThat(withResults.commit().keep()).containsExactly(3);
    assertThat(withControl.commit().started()).containsExactly(1, 2, 3);
    assertThat(withControl.commit().keep()).containsExactly(1, 2, 3);
  }

  @Test
  @DisplayName("A retry waits out its backoff from now, and its result row says pending")
  void retryWaits() {
    Row row = table().filter(r -> r.name().startsWith("a retryable")).findFirst().orElseThrow();

    CommitPlanner.Plan plan = CommitPlanner.plan(input(row));

    assertThat(plan.commit().settled().get(0).status()).isEqualTo(ItemStatus.PENDING);
    assertThat(plan.retries())
        .singleElement()
        .satisfies(
            item -> {
              assertThat(item.seq()).isEqualTo(1);
              assertThat(item.attempts()).isEqualTo(1);
              assertThat(item.notBeforeMillis()).isGreaterThanOrEqualTo(NOW + 80);
            });
  }

  private static CommitPlanner.Input input(Row row) {
    return input(row, null);
  }

  private static CommitPlanner.Input input(Row row, @Nullable Long deadline) {
    int done = row.status() == CANCELLED ? 3 : 0;
    int total = row.pending() + row.inFlight() + done;
    Counts counts =
        new Counts(total, row.pending(), row.inFlight(), 0, 0, row.status() == CANCELLED ? 3 : 0);
    BatchSnapshot snapshot =
        new BatchSnapshot(UUID.randomUUID(), row.status(), null, counts, 8, 3, 40);
    List<Integer> inFlight = new ArrayList<>();
    for (int seq = 1; seq <= row.inFlight(); seq++) {
      inFlight.add(seq);
    }
    List<Finished> finished = new ArrayList<>();
    for (int i = 0; i < row.ended().size(); i++) {
      finished.add(ended(i + 1, row.ended().get(i)));
    }
    List<BatchCommand> controls =
        row.controls().stream().map(c -> BatchCommand.ofWire(c, "alice", null)).toList();
    return new CommitPlanner.Input(
        snapshot,
        7,
        40,
        TokenUsage.NONE,
        row.budget(),
        deadline,
        controls,
        finished,
        List.copyOf(inFlight),
        List.copyOf(inFlight),
        inFlight,
        row.groupSize(),
        POLICY,
        NOW);
  }

  private static Finished ended(int seq, End end) {
    PendingItem item = new PendingItem(seq, "q" + seq, new JsonObject(), 0, 0, null);
    return switch (end) {
      case OK -> new Finished(item, new Generation("text " + seq, "stop", 6, 6), null);
      case RETRY ->
          new Finished(
              item,
              null,
              new GenerationException(GenerationException.Kind.RETRYABLE, "busy", null));
      case FAULT ->
          new Finished(
              item, null, new GenerationException(GenerationException.Kind.BATCH, "bad key", null));
    };
  }
}
