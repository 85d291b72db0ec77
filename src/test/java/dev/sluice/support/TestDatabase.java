package dev.sluice.support;

import dev.sluice.app.Database;
import dev.sluice.app.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty PostgreSQL database for one test class, dropped on close. The server is the one
 * named by {@code SLUICE_TEST_ADMIN_URL}, else the local server on 127.0.0.1:5432, else (when not
 * running as root) an embedded one.
 */
public final class TestDatabase implements AutoCloseable {

  private static EmbeddedPostgres embedded;

  private final DatabaseUrl admin;
  private final String name;

  private TestDatabase(DatabaseUrl admin, String name) {
    this.admin = admin;
    this.name = name;
  }

  public static TestDatabase create(Class<?> owner) {
    DatabaseUrl admin = adminUrl();
    String name =
        ("sluice_t_" + owner.getSimpleName() + "_" + UUID.randomUUID().toString().substring(0, 8))
            .toLowerCase(Locale.ROOT);
    Database.ensureDatabase(admin, name);
    return new TestDatabase(admin, name);
  }

  private static synchronized DatabaseUrl adminUrl() {
    String configured = System.getenv("SLUICE_TEST_ADMIN_URL");
    if (configured != null && !configured.isBlank()) {
      return DatabaseUrl.parse(configured);
    }
    DatabaseUrl local = new DatabaseUrl("127.0.0.1", 5432, "postgres", "postgres", null);
    if (Database.answers(local)) {
      return local;
    }
    Assumptions.assumeFalse(
        "root".equals(System.getProperty("user.name")),
        "No PostgreSQL answers on 127.0.0.1:5432 and an embedded one cannot run as root;"
            + " set SLUICE_TEST_ADMIN_URL to a server these tests may create databases on.");
    try {
      if (embedded == null) {
        embedded = EmbeddedPostgres.builder().start();
      }
      return new DatabaseUrl("127.0.0.1", embedded.getPort(), "postgres", "postgres", null);
    } catch (IOException e) {
      throw new IllegalStateException("the embedded PostgreSQL did not start", e);
    }
  }

  public DatabaseUrl url() {
    return admin.withDatabase(name);
  }

  /** Runs one SQL statement on the test database and returns the first column of the first row. */
  public long queryLong(String sql) {
    try (Connection c = Database.connect(url());
        Statement st = c.createStatement()) {
      var rs = st.executeQuery(sql);
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Runs one query and returns the first column of the first row as text (null when none). */
  public String queryText(String sql) {
    try (Connection c = Database.connect(url());
        Statement st = c.createStatement()) {
      var rs = st.executeQuery(sql);
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * A batch as stored: its row (status, counts, version), every item's status, attempts and output,
   * and its history, as one text; equal texts mean nothing about the batch changed.
   */
  public String batchState(String id) {
    return queryText(
        "SELECT (SELECT row(status, status_reason, pending, in_progress, succeeded, failed,"
            + " cancelled, version, owner)::text FROM batches WHERE id = '"
            + id
            + "') || (SELECT coalesce(string_agg(row(seq, status, attempts, output)::text, ';'"
            + " ORDER BY seq), '') FROM items WHERE batch_id = '"
            + id
            + "') || (SELECT coalesce(string_agg(row(from_status, to_status, actor)::text, ';'"
            + " ORDER BY id), '') FROM batch_events WHERE batch_id = '"
            + id
            + "')");
  }

  public void execute(String sql) {
    try (Connection c = Database.connect(url());
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  @Override
  public void close() {
    try (Connection c = Database.connect(admin);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop " + name, e);
    }
  }
}
