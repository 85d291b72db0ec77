package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.batch.BatchReads;
import dev.sluice.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sessions of Sluice's pool carry the settings {@link Database#pool} gives them. */
class DatabasePoolTest {

  private static TestDatabase db;
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void open(@TempDir Path dataDir) {
    db = TestDatabase.create(DatabasePoolTest.class);
    vertx = Vertx.vertx();
    pool = Database.open(db.url().toString(), dataDir).pool(vertx, 2, Duration.ofSeconds(7));
  }

  @AfterAll
  static void close() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    db.close();
  }

  private static String show(String setting) throws Exception {
    Row row = pool.query("SHOW " + setting).execute().await(10, TimeUnit.SECONDS).iterator().next();
    return row.getString(0);
  }

  /** The executed plan of {@code statement}, after {@code prepare} on the same session. */
  private static JsonObject plan(String prepare, String statement) throws Exception {
    Row row =
        pool.withConnection(
                c ->
                    c.query(prepare)
                        .execute()
                        .compose(
                            v ->
                                c.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement)
                                    .execute()))
            .await(10, TimeUnit.SECONDS)
            .iterator()
            .next();
    return new JsonArray(row.getValue(0).toString()).getJsonObject(0).getJsonObject("Plan");
  }

  @Test
  @DisplayName("Prepared statements are planned once per session (docs/decisions.md)")
  void genericPlans() throws Exception {
    assertThat(show("plan_cache_mode")).isEqualTo("force_generic_plan");
  }

  @Test
  @DisplayName("A runner's window read walks the items' key on a table without statistics")
  void windowWalksTheKey() throws Exception {
    assertThat(show("enable_bitmapscan")).isEqualTo("off");
    // 20,000 pending items of one batch, never analysed: the shape of a fresh database's first big
    // batch, on which PostgreSQL's generic plan used to be a bitmap scan of every remaining item.
    UUID batch = UUID.randomUUID();
    db.execute("ALTER TABLE items SET (autovacuum_enabled = false)");
    db.execute(
        "INSERT INTO items (batch_id, seq, item_id, status, input) SELECT '"
            + batch
            + "', g, 'i' || g, 'pending', '{\"prompt\": \"q\"}' FROM generate_series(1, 20000) g");
    JsonObject plan =
        plan(
            "PREPARE window_read (uuid, int, bigint) AS " + BatchReads.PENDING_WINDOW,
            "EXECUTE window_read ('" + batch + "', 0, 100)");
    JsonObject scan = plan.getJsonArray("Plans").getJsonObject(0);
    assertThat(plan.getString("Node Type")).isEqualTo("Limit");
    assertThat(scan.getString("Node Type")).as(scan.encode()).isEqualTo("Index Scan");
    assertThat(scan.getString("Index Name")).isEqualTo("items_pkey");
    assertThat(plan.getInteger("Actual Rows")).isEqualTo(100);
    // A walk of the key reads a few pages; the bitmap read every page of the batch's 20,000 rows.
    assertThat(plan.getInteger("Shared Hit Blocks") + plan.getInteger("Shared Read Blocks"))
        .isLessThan(50);
  }

  @Test
  @DisplayName("A transaction left idle is ended by the server after the given time")
  void idleInTransaction() throws Exception {
    assertThat(show("idle_in_transaction_session_timeout")).isEqualTo("7s");
  }
}
