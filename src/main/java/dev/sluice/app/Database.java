package dev.sluice.app;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the PostgreSQL Sluice keeps its state in and brings its schema up to date: the server named
 * by {@code DATABASE_URL}; else an embedded server with its files under the data directory; else,
 * when running as root (PostgreSQL refuses root), a server on localhost:5432.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final String DEFAULT_NAME = "sluice";
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  private final DatabaseUrl url;
  private final @Nullable EmbeddedPostgres embedded;

  private Database(DatabaseUrl url, @Nullable EmbeddedPostgres embedded) {
    this.url = url;
    this.embedded = embedded;
  }

  /** Resolves, starts if need be, and migrates the database the settings point at. */
  public static Database open(@Nullable String configuredUrl, Path dataDir) {
    Database db =
        configuredUrl != null
            ? new Database(DatabaseUrl.parse(configuredUrl), null)
            : fallback(dataDir);
    db.migrate();
    return db;
  }

  public DatabaseUrl url() {
    return url;
  }

  /**
   * A pool of {@code size} connections to this database. Opening a connection and waiting for a
   * free one each give up after {@link #CONNECT_TIMEOUT_MS}, so a request fails fast (and is
   * answered 503) while the database is unreachable instead of hanging. A transaction left open
   * longer than {@code idleInTransaction} between two statements is ended by the server: a process
   * frozen in the middle of a write (SIGSTOP) must not hold its rows locked past its lease, where
   * another node's claim would wait on them.
   *
   * <p>Every session plans its prepared statements once ({@code plan_cache_mode =
   * force_generic_plan}). Left to choose, PostgreSQL kept planning the runners' one-statement
   * commit afresh on every execution (a custom plan, as the array parameters make the generic plan
   * look dearer), and that planning was 42 % of its CPU while ten thousand runners started
   * (docs/decisions.md, "Statements are planned once").
   *
   * <p>Nor does a session plan bitmap scans ({@code enable_bitmapscan = off}). Every read and write
   * of items goes by the primary key, to a row or along a batch in sequence order; on a table
   * without statistics (a fresh database, or one autovacuum has not analysed yet) the generic plan
   * of a runner's window read was a bitmap scan that fetched and sorted every remaining item of the
   * batch to return a hundred, and each result of a commit was found through a bitmap of one row
   * (docs/decisions.md, "Items are read along their key, never through a bitmap").
   */
  Pool pool(Vertx vertx, int size, Duration idleInTransaction) {
    return pool(vertx, size, idleInTransaction, Duration.ofMillis(CONNECT_TIMEOUT_MS));
  }

  /**
   * As {@link #pool(Vertx, int, Duration)}, but a caller waits up to {@code acquireTimeout} for a
   * free connection when all are in use (opening one still gives up after {@link
   * #CONNECT_TIMEOUT_MS}, so an unreachable database is still noticed at once).
   */
  Pool pool(Vertx vertx, int size, Duration idleInTransaction, Duration acquireTimeout) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(url.host())
            .setPort(url.port())
            .setDatabase(url.database())
            .setUser(url.user())
            .setCachePreparedStatements(true)
            .setPipeliningLimit(256)
            .addProperty(
                "idle_in_transaction_session_timeout",
                Long.toString(Math.max(1, idleInTransaction.toMillis())))
            .addProperty("plan_cache_mode", "force_generic_plan")
            .addProperty("enable_bitmapscan", "off");
    if (url.password() != null) {
      connect.setPassword(url.password());
    }
    return PgBuilder.pool()
        .with(
            new PoolOptions()
                .setMaxSize(size)
                .setConnectionTimeout((int) acquireTimeout.toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /** The server on localhost:5432 that a Sluice running as root uses instead of an embedded one. */
  static final DatabaseUrl LOCAL = new DatabaseUrl("127.0.0.1", 5432, "postgres", "postgres", null);

  /** Whether this process runs as root, where PostgreSQL refuses to be embedded. */
  static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Database fallback(Path dataDir) {
    if (!asRoot()) {
      return startEmbedded(dataDir);
    }
    if (!answers(LOCAL)) {
      throw new ConfigException(
          "No database: set DATABASE_URL (postgresql://user@host:5432/db), since PostgreSQL cannot"
              + " be embedded when running as root and none answers on localhost:5432.");
    }
    ensureDatabase(LOCAL, DEFAULT_NAME);
    log.info("Using the PostgreSQL server on localhost:5432, database {}", DEFAULT_NAME);
    return new Database(LOCAL.withDatabase(DEFAULT_NAME), null);
  }

  private static Database startEmbedded(Path dataDir) {
    Path files = dataDir.toAbsolutePath().normalize().resolve("postgres");
    try {
      Files.createDirectories(files);
      stopOrphan(files);
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(files)
              .setCleanDataDirectory(false)
              // The embedded defaults trade durability for speed; Sluice acknowledges only what
              // is on disk.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .start();
      DatabaseUrl server = new DatabaseUrl("127.0.0.1", pg.getPort(), "postgres", "postgres", null);
      ensureDatabase(server, DEFAULT_NAME);
      log.info("Started an embedded PostgreSQL with its files in {}", files);
      return new Database(server.withDatabase(DEFAULT_NAME), pg);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "The embedded PostgreSQL could not start in "
              + files
              + " ("
              + e.getMessage()
              + "); set DATABASE_URL to use a server of your own.");
    }
  }

  /**
   * A Sluice killed with SIGKILL leaves its embedded server running, holding the data directory;
   * asks that server to shut down (SIGTERM: a smart shutdown, its clients are gone) and waits.
   */
  private static void stopOrphan(Path files) throws IOException {
    Path pidFile = files.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty() || !lines.get(0).trim().matches("\\d+")) {
      return;
    }
    Optional<ProcessHandle> orphan =
        ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (orphan.isEmpty()) {
      return;
    }
    log.warn(
        "Stopping the embedded PostgreSQL left running by an earlier Sluice (pid {})",
        orphan.get().pid());
    orphan.get().destroy();
    try {
      orphan.get().onExit().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("the earlier embedded PostgreSQL did not stop", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the earlier embedded PostgreSQL", e);
    }
  }

  /** Whether a server answers at the URL. */
  public static boolean answers(DatabaseUrl url) {
    try (Connection c = connect(url)) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Creates the database on the server the URL points at, if it does not exist. */
  public static void ensureDatabase(DatabaseUrl server, String name) {
    try (Connection c = connect(server);
        Statement st = c.createStatement()) {
      var rs =
          st.executeQuery(
              "SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'");
      if (!rs.next()) {
        st.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
      }
    } catch (SQLException e) {
      throw new ConfigException(
          "The database "
              + name
              + " could not be created on "
              + server.redacted()
              + ": "
              + e.getMessage());
    }
  }

  /** A plain JDBC connection, for set-up work that runs before Vert.x starts. */
  public static Connection connect(DatabaseUrl url) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", url.user());
    if (url.password() != null) {
      props.setProperty("password", url.password());
    }
    props.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url.jdbcUrl(), props);
  }

  /**
   * V1's opening comment was reworded after it shipped (it named a document outside the
   * repository); a database migrated with the old wording gets the new file's checksum, and only
   * when its recorded checksum is exactly the old one, so a real change to V1 still fails
   * validation.
   */
  private static final String REWORDED_V1 =
      "UPDATE flyway_schema_history SET checksum = -1212386728"
          + " WHERE version = '1' AND checksum = 708551375";

  private void migrate() {
    acceptRewordedV1();
    try {
      Flyway.configure()
          .dataSource(url.jdbcUrl(), url.user(), url.password())
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new ConfigException(
          "The schema of " + url.redacted() + " could not be migrated: " + e.getMessage());
    }
  }

  private void acceptRewordedV1() {
    try (Connection c = connect(url);
        Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL");
      if (rs.next() && rs.getBoolean(1)) {
        st.executeUpdate(REWORDED_V1);
      }
    } catch (SQLException e) {
      throw new ConfigException(
          "The schema of " + url.redacted() + " could not be checked: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        log.warn("The embedded PostgreSQL did not stop cleanly", e);
      }
    }
  }
}
