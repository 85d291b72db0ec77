package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.SluiceFixture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Marks-only commits of many batches go in one statement, each batch row under its own guard
 * (docs/decisions.md, "Marks of many batches in one statement"). The batches here belong to another
 * node, so this node's own runners never touch them.
 */
@DisplayName("Marks-only commits of many batches are written together, each under its own guard.")
class MarkGroupsTest {

  @RegisterExtension static final SluiceFixture fixture = SluiceFixture.withSettings();

  private Pool pool;
  private BatchWrites writes;

  @BeforeEach
  void connect() {
    pool = ForeignBatches.pool(fixture);
    writes = new BatchWrites(pool);
  }

  @AfterEach
  void closePool() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "One statement stores the marks and counts of the batches whose epoch and revision match, and nothing of a fenced one")
  void fencedBatchIsLeftOut() throws Exception {
    UUID a = storeBatch();
    UUID fenced = storeBatch();
    UUID c = storeBatch();

    var written =
        writes
            .commitMarks(
                List.of(a, fenced, c),
                List.of(
                    marks(a, 1, List.of(1, 2)),
                    marks(fenced, 2, List.of(1)),
                    marks(c, 1, List.of(3))))
            .await(10, TimeUnit.SECONDS);

    assertThat(written).containsExactlyInAnyOrder(a, c);
    assertThat(itemStatuses(a)).isEqualTo("in_progress,in_progress,pending,pending");
    assertThat(batchRow(a)).isEqualTo("2 pending=2 in_progress=2");
    assertThat(itemStatuses(fenced)).isEqualTo("pending,pending,pending,pending");
    assertThat(batchRow(fenced)).isEqualTo("1 pending=4 in_progress=0");
    assertThat(itemStatuses(c)).isEqualTo("pending,pending,in_progress,pending");
    assertThat(batchRow(c)).isEqualTo("2 pending=3 in_progress=1");
  }

  @Test
  @DisplayName(
      "Forty commits queued at once take no more statements than those already in flight plus one, and each runner is told its own outcome")
  void commitsQueuedMeanwhileShareAStatement() throws Exception {
    List<UUID> ids = new ArrayList<>();
    List<Commit> commits = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      UUID id = storeBatch();
      ids.add(id);
      commits.add(marks(id, i == 7 ? 9 : 1, List.of(1)));
    }
    Grouped grouped = submitTogether(ids, commits);

    List<Future<Boolean>> outcomes = grouped.outcomes();
    assertThat(outcomes.get(7).result())
        .as("the fenced batch's runner is told it lost the batch")
        .isFalse();
    assertThat(outcomes.stream().filter(Future::result).count()).isEqualTo(39);
    assertThat(grouped.statements()).isLessThanOrEqualTo(MarkGroups.IN_FLIGHT + 1);
    assertThat(fixture.db().queryLong("SELECT count(*) FROM items WHERE status = 'in_progress'"))
        .isEqualTo(39);
  }

  @Test
  @DisplayName(
      "A statement that fails as a whole is written commit by commit: the faulty batch's commit fails, the others are stored")
  void failedStatementFallsBackToEachAlone() throws Exception {
    List<UUID> ids = new ArrayList<>();
    List<Commit> commits = new ArrayList<>();
    for (int i = 0; i < MarkGroups.IN_FLIGHT + 2; i++) {
      UUID id = storeBatch();
      ids.add(id);
      commits.add(marks(id, 1, List.of(2)));
    }
    // The last batch's counts no longer add up to its total: the row's check refuses them, and
    // with them the statement it shares with the one before it.
    UUID faulty = ids.get(ids.size() - 1);
    Commit broken = commits.get(ids.size() - 1);
    commits.set(
        ids.size() - 1,
        new Commit(
            1,
            1,
            new BatchSnapshot(faulty, BatchStatus.RUNNING, null, Counts.allPending(5), 2, 1, 2),
            broken.started(),
            List.of(),
            List.of(),
            List.of(),
            broken.keep(),
            TokenUsage.NONE,
            0));

    Grouped grouped = submitTogether(ids, commits);

    assertThat(grouped.statements())
        .as("the last two shared a statement")
        .isEqualTo(MarkGroups.IN_FLIGHT + 1);
    List<Future<Boolean>> outcomes = grouped.outcomes();
    assertThat(outcomes.get(ids.size() - 1).failed()).isTrue();
    assertThat(outcomes.subList(0, ids.size() - 1)).allMatch(f -> f.succeeded() && f.result());
    assertThat(itemStatuses(ids.get(ids.size() - 2)))
        .isEqualTo("pending,in_progress,pending,pending");
    assertThat(itemStatuses(faulty)).isEqualTo("pending,pending,pending,pending");
  }

  private record Grouped(List<Future<Boolean>> outcomes, long statements) {}

  /**
   * Queues every commit from the groups' own context in one go, so that all wait before any answer
   * comes back: the first {@link MarkGroups#IN_FLIGHT} go out at once, alone, the rest together.
   */
  private Grouped submitTogether(List<UUID> ids, List<Commit> commits) throws Exception {
    Vertx vertx = fixture.sluice().vertx();
    Context context = vertx.getOrCreateContext();
    Promise<MarkGroups> made = Promise.promise();
    context.runOnContext(v -> made.complete(new MarkGroups(vertx, writes)));
    MarkGroups groups = made.future().await(10, TimeUnit.SECONDS);
    List<Future<Boolean>> outcomes = new ArrayList<>();
    Promise<Void> queued = Promise.promise();
    context.runOnContext(
        v -> {
          for (int i = 0; i < ids.size(); i++) {
            outcomes.add(groups.commit(ids.get(i), commits.get(i)));
          }
          queued.complete();
        });
    queued.future().await(10, TimeUnit.SECONDS);
    // Waits for every outcome, failed ones included.
    Future.join(outcomes).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    Promise<Long> statements = Promise.promise();
    context.runOnContext(v -> statements.complete(groups.statements()));
    return new Grouped(outcomes, statements.future().await(10, TimeUnit.SECONDS));
  }

  /** A running batch of four pending items at revision 1 and epoch 1, owned by another node. */
  private static UUID storeBatch() throws Exception {
    UUID id = UUID.randomUUID();
    ForeignBatches.store(fixture, id, "grouped");
    return id;
  }

  /** Marks {@code seqs} in progress, from revision 1 to 2 under {@code epoch}. */
  private static Commit marks(UUID id, long epoch, List<Integer> seqs) {
    Counts counts =
        Counts.allPending(4).move(ItemStatus.PENDING, ItemStatus.IN_PROGRESS, seqs.size());
    BatchSnapshot next = new BatchSnapshot(id, BatchStatus.RUNNING, null, counts, 2, 1, 2);
    return new Commit(
        epoch, 1, next, seqs, List.of(), List.of(), List.of(), seqs, TokenUsage.NONE, 0);
  }

  private static String itemStatuses(UUID id) {
    return fixture
        .db()
        .queryText(
            "SELECT string_agg(status, ',' ORDER BY seq) FROM items WHERE batch_id = '" + id + "'");
  }

  private static String batchRow(UUID id) {
    return fixture
        .db()
        .queryText(
            "SELECT version || ' pending=' || pending || ' in_progress=' || in_progress FROM"
                + " batches WHERE id = '"
                + id
                + "'");
  }
}
