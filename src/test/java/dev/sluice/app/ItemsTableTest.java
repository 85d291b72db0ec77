package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The items table keeps only its primary key and leaves room on its pages, so that storing an
 * item's result updates its row in place instead of inserting into an index over its status
 * (docs/decisions.md, "Items keep only their primary key" and "Room on each page for the results").
 */
class ItemsTableTest {

  @RegisterExtension static final SluiceFixture fixture = SluiceFixture.withSettings();

  private final Api api = fixture.api();

  @Test
  @DisplayName("No index covers an item's status: the primary key is the only one")
  void onlyThePrimaryKey() {
    assertThat(
            fixture
                .db()
                .queryText(
                    "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes"
                        + " WHERE tablename = 'items'"))
        .isEqualTo("items_pkey");
    assertThat(
            fixture
                .db()
                .queryText(
                    "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname ="
                        + " 'items'"))
        .isEqualTo("fillfactor=20");
  }

  @Test
  @DisplayName("Every result is stored by an in-place (heap-only) update")
  void resultsUpdateInPlace() {
    String id = api.createBatch("in-place", 200, 8);
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).equals("completed"));

    // The server's table statistics are flushed by each session now and then: wait for them.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        fixture
                            .db()
                            .queryLong(
                                "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname ="
                                    + " 'items'"))
                    .as("heap-only updates of items")
                    .isGreaterThanOrEqualTo(200));
    assertThat(
            fixture
                .db()
                .queryLong(
                    "SELECT n_tup_upd - n_tup_hot_upd FROM pg_stat_user_tables WHERE relname ="
                        + " 'items'"))
        .as(
            "updates of items that left their row's page (docs/decisions.md, \"Room on each page"
                + " for the results\")")
        .isZero();
  }
}
