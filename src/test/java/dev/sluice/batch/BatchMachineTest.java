package dev.sluice.batch;

import static dev.sluice.batch.BatchMachineFixtures.accepted;
import static dev.sluice.batch.BatchMachineFixtures.batch;
import static dev.sluice.batch.BatchMachineFixtures.command;
import static dev.sluice.batch.BatchStatus.CANCELLED;
import static dev.sluice.batch.BatchStatus.COMPLETED;
import static dev.sluice.batch.BatchStatus.EXPIRED;
import static dev.sluice.batch.BatchStatus.FAILED;
import static dev.sluice.batch.BatchStatus.PAUSED;
import static dev.sluice.batch.BatchStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batch table of docs/architecture.md §2, cell by cell: each state and user command leads to
 * the next state, or to a 409 that names the current one. {@link BatchMachineCommandsTest} checks
 * {@code allows} against {@code decide} over the same cells.
 */
@DisplayName("The batch state machine")
class BatchMachineTest {

  /** The commands a user may send, by wire name, as in docs/architecture.md §2. */
  static final List<String> USER_COMMANDS = List.of("pause", "resume", "cancel", "retry-failed");

  /**
   * One cell of the batch table in docs/architecture.md §2: the state, its failed items, a command,
   * the answer.
   */
  record Cell(BatchStatus from, int failed, String command, String expected) {
    @Override
    public String toString() {
      return from.wire() + " (failed=" + failed + ") + " + command + " → " + expected;
    }
  }

  private static Cell cell(BatchStatus from, int failed, String command, String expected) {
    return new Cell(from, failed, command, expected);
  }

  /**
   * docs/architecture.md §2, one row per cell; running, paused and cancelled batches have failed
   * items.
   */
  static final List<Cell> TABLE =
      List.of(
          cell(RUNNING, 2, "pause", "paused"),
          cell(RUNNING, 2, "resume", "409"),
          cell(RUNNING, 2, "cancel", "cancelled"),
          cell(RUNNING, 2, "retry-failed", "409"),
          cell(PAUSED, 2, "pause", "409"),
          cell(PAUSED, 2, "resume", "running"),
          cell(PAUSED, 2, "cancel", "cancelled"),
          cell(PAUSED, 2, "retry-failed", "409"),
          cell(COMPLETED, 2, "pause", "409"),
          cell(COMPLETED, 2, "resume", "409"),
          cell(COMPLETED, 2, "cancel", "409"),
          cell(COMPLETED, 2, "retry-failed", "running"),
          cell(COMPLETED, 0, "pause", "409"),
          cell(COMPLETED, 0, "resume", "409"),
          cell(COMPLETED, 0, "cancel", "409"),
          cell(COMPLETED, 0, "retry-failed", "409"),
          cell(FAILED, 2, "pause", "409"),
          cell(FAILED, 2, "resume", "409"),
          cell(FAILED, 2, "cancel", "409"),
          cell(FAILED, 2, "retry-failed", "running"),
          cell(FAILED, 0, "pause", "409"),
          cell(FAILED, 0, "resume", "409"),
          cell(FAILED, 0, "cancel", "409"),
          cell(FAILED, 0, "retry-failed", "409"),
          cell(CANCELLED, 2, "pause", "409"),
          cell(CANCELLED, 2, "resume", "409"),
          cell(CANCELLED, 2, "cancel", "409"),
          cell(CANCELLED, 2, "retry-failed", "409"),
          cell(EXPIRED, 2, "pause", "409"),
          cell(EXPIRED, 2, "resume", "409"),
          cell(EXPIRED, 2, "cancel", "409"),
          cell(EXPIRED, 2, "retry-failed", "running"),
          cell(EXPIRED, 0, "pause", "409"),
          cell(EXPIRED, 0, "resume", "409"),
          cell(EXPIRED, 0, "cancel", "409"),
          cell(EXPIRED, 0, "retry-failed", "409"));

  static Stream<Cell> table() {
    return TABLE.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  @DisplayName(
      "Every cell of the batch table gives the next state or a 409 naming the current one.")
  void tableCell(Cell cell) {
    BatchSnapshot before = batch(cell.from(), cell.failed());

    Decision decision = BatchMachine.decide(before, command(cell.command()));

    if (cell.expected().equals("409")) {
      assertThat(decision).isInstanceOf(Rejected.class);
      Rejected rejected = (Rejected) decision;
      assertThat(rejected.current()).isEqualTo(cell.from());
      assertThat(rejected.command()).isEqualTo(cell.command());
      assertThat(rejected.detail()).isNotBlank();
    } else {
      BatchStatus to = BatchStatus.parse(cell.expected()).orElseThrow();
      Accepted accepted = accepted(decision);
      assertThat(accepted.next().status()).isEqualTo(to);
      assertThat(accepted.next().version()).isEqualTo(before.version() + 1);
      assertThat(accepted.next().id()).isEqualTo(before.id());
      assertThat(accepted.transition())
          .isEqualTo(new Transition(cell.from(), to, "alice", "because"));
    }
  }

  @Test
  @DisplayName(
      "The table has a row for every batch state and user command, and for both failed cases.")
  void tableCoversEveryStateAndCommand() {
    Set<String> rows = new HashSet<>();
    for (Cell c : TABLE) {
      assertThat(rows.add(c.from() + "/" + (c.failed() > 0) + "/" + c.command()))
          .as("duplicate row %s", c)
          .isTrue();
    }
    for (BatchStatus status : BatchStatus.values()) {
      for (String command : USER_COMMANDS) {
        assertThat(rows).as("%s × %s", status, command).contains(status + "/true/" + command);
        if (status == COMPLETED || status == FAILED || status == EXPIRED) {
          assertThat(rows)
              .as("%s × %s, none failed", status, command)
              .contains(status + "/false/" + command);
        }
      }
    }
    assertThat(USER_COMMANDS)
        .allSatisfy(c -> assertThat(BatchCommand.ofWire(c, "a", null)).isNotNull());
    assertThat(BatchCommand.ofWire("fail", "a", null)).as("fail is not a user command").isNull();
  }
}
