package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.time.Duration;
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

  @Test
  @DisplayName("Prepared statements are planned once per session (docs/decisions.md)")
  void genericPlans() throws Exception {
    assertThat(show("plan_cache_mode")).isEqualTo("force_generic_plan");
  }

  @Test
  @DisplayName("A transaction left idle is ended by the server after the given time")
  void idleInTransaction() throws Exception {
    assertThat(show("idle_in_transaction_session_timeout")).isEqualTo("7s");
  }
}
