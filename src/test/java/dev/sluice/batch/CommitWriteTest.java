package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.SluiceFixture;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One commit of a runner is written whole or not at all: results, in-progress marks and the batch's
 * counts in one statement, guarded by the epoch and the previous revision (docs/architecture.md,
 * "Fencing"). The batch here belongs to another node, so this node's own runners never touch it.
 */
@DisplayName("A runner's commit stores results, marks and counts together, or nothing when fenced.")
class CommitWriteTest {

  @RegisterExtension static final SluiceFixture fixture = SluiceFixture.withSettings();

  private final UUID id = UUID.randomUUID();
  private Pool pool;
  private BatchWrites writes;

  @BeforeEach
  void storeBatch() throws Exception {
    ForeignBatches.store(fixture, id, "fenced");
    pool = ForeignBatches.pool(fixture);
    writes = new BatchWrites(pool);
  }

  @AfterEach
  void closePool() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "With its epoch and revision it stores item 1's result, item 3's mark and the counts; with another epoch or an old revision, nothing.")
  void wholeOrNothing() throws Exception {
    Commit stale = commit(1, 0);
    Commit fenced = commit(2, 1);
    assertThat(writes.commit(id, fenced).await(10, TimeUnit.SECONDS)).isFalse();
    assertThat(writes.commit(id, stale).await(10, TimeUnit.SECONDS)).isFalse();
    assertThat(itemStatuses()).isEqualTo("pending,pending,pending,pending");
    assertThat(batchRow()).isEqualTo("1 pending=4 in_progress=0 succeeded=0");

    assertThat(writes.commit(id, commit(1, 1)).await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(itemStatuses()).isEqualTo("succeeded,pending,in_progress,pending");
    assertThat(batchRow()).isEqualTo("2 pending=2 in_progress=1 succeeded=1");
    assertThat(
            fixture
                .db()
                .queryText(
                    "SELECT output || ' ' || attempts || ' ' || (finished_at IS NOT NULL) FROM items"
                        + " WHERE batch_id = '"
                        + id
                        + "' AND seq = 1"))
        .isEqualTo("the answer 1 true");

    assertThat(writes.commit(id, commit(1, 1)).await(10, TimeUnit.SECONDS))
        .as("the same commit again: its revision is no longer the stored one")
        .isFalse();
  }

  @Test
  @DisplayName(
      "An item dispatched moments ago is not marked yet, and the stored counts show it pending, as its row does")
  void unmarkedItemCountsAsPending() throws Exception {
    Commit commit = commit(1, 1, List.of(3, 4), 1);

    assertThat(writes.commit(id, commit).await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(itemStatuses()).isEqualTo("succeeded,pending,in_progress,pending");
    assertThat(batchRow()).isEqualTo("2 pending=2 in_progress=1 succeeded=1");
  }

  /** Item 1 succeeded, item 3 dispatched: from revision {@code previous} to the next. */
  private Commit commit(long epoch, long previous) {
    return commit(epoch, previous, List.of(3), 0);
  }

  /**
   * Item 1 succeeded, {@code inFlight} dispatched, item 3 marked in progress and {@code unmarked}
   * of them not marked yet.
   */
  private Commit commit(long epoch, long previous, List<Integer> inFlight, int unmarked) {
    Counts counts =
        Counts.allPending(4)
            .move(ItemStatus.PENDING, ItemStatus.SUCCEEDED, 1)
            .move(ItemStatus.PENDING, ItemStatus.IN_PROGRESS, inFlight.size());
    BatchSnapshot next =
        new BatchSnapshot(id, BatchStatus.RUNNING, null, counts, 2, 1, previous + 1);
    ItemResult one =
        new ItemResult(1, ItemStatus.SUCCEEDED, 1, "the answer", null, null, null, false);
    return new Commit(
        epoch,
        previous,
        next,
        List.of(3),
        List.of(one),
        List.of(),
        List.of(),
        inFlight,
        TokenUsage.NONE,
        unmarked);
  }

  private String itemStatuses() {
    return fixture
        .db()
        .queryText(
            "SELECT string_agg(status, ',' ORDER BY seq) FROM items WHERE batch_id = '" + id + "'");
  }

  private String batchRow() {
    return fixture
        .db()
        .queryText(
            "SELECT version || ' pending=' || pending || ' in_progress=' || in_progress || '"
                + " succeeded=' || succeeded FROM batches WHERE id = '"
                + id
                + "'");
  }
}
