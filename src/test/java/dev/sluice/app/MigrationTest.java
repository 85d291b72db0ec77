package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A database migrated before V1's opening comment was reworded still starts, and gets the new
 * checksum; any other difference in V1 still stops the start.
 */
class MigrationTest {

  private static final String V1 = "SELECT checksum FROM flyway_schema_history WHERE version = '1'";

  private static TestDatabase db;

  @BeforeAll
  static void migrateOnce() {
    db = TestDatabase.create(MigrationTest.class);
    Sluice.start(TestConfig.of(db)).close();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  @DisplayName("A database migrated with V1's old wording starts and takes the new checksum")
  void oldWordingIsAccepted() {
    long current = db.queryLong(V1);
    db.execute("UPDATE flyway_schema_history SET checksum = 708551375 WHERE version = '1'");

    Sluice.start(TestConfig.of(db)).close();

    assertThat(db.queryLong(V1)).isEqualTo(current).isEqualTo(-1212386728L);
  }

  @Test
  @DisplayName("Any other checksum of V1 still stops the start with one sentence")
  void otherChangesStillFail() {
    db.execute("UPDATE flyway_schema_history SET checksum = 42 WHERE version = '1'");
    try {
      assertThatThrownBy(() -> Sluice.start(TestConfig.of(db)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("could not be migrated");
    } finally {
      db.execute("UPDATE flyway_schema_history SET checksum = -1212386728 WHERE version = '1'");
    }
  }

  @Test
  @DisplayName("A database that cannot be reached stops the start with one sentence saying so")
  void unreachableDatabase() {
    assertThatThrownBy(
            () ->
                Sluice.start(
                    TestConfig.of(
                        db, "DATABASE_URL", "postgresql://postgres@127.0.0.1:1/unreachable")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "The schema of postgresql://postgres@127.0.0.1:1/unreachable could not be checked:")
        .hasMessageContaining("refused")
        .satisfies(e -> assertThat(e.getMessage().split("The schema of", -1)).hasSize(2));
  }
}
