package dev.sluice.batch;

import dev.sluice.app.Database;
import dev.sluice.support.SluiceFixture;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Batches stored straight in the database as another node's, so that the test's own node never runs
 * them, and a pool of the test's own to write them with: for tests of a runner's writes without a
 * runner.
 */
final class ForeignBatches {

  private ForeignBatches() {}

  /**
   * A running batch of four pending items, at revision 1 and epoch 1, owned by the node {@code
   * elsewhere}.
   */
  static void store(SluiceFixture fixture, UUID id, String name) throws SQLException {
    try (Connection c = Database.connect(fixture.db().url());
        PreparedStatement batch =
            c.prepareStatement(
                "INSERT INTO batches (id, owner, name, status, config, total, pending, in_progress,"
                    + " succeeded, failed, cancelled, version, owner_node, lease_until, epoch)"
                    + " VALUES (?, 'local', ?, 'running', '{\"concurrency\": 2,"
                    + " \"maxAttempts\": 1}', 4, 4, 0, 0, 0, 0, 1, 'elsewhere', now() + interval"
                    + " '10 minutes', 1)");
        PreparedStatement items =
            c.prepareStatement(
                "INSERT INTO items (batch_id, seq, item_id, status, input) SELECT ?, s, 'i' || s,"
                    + " 'pending', '{\"prompt\": \"p\"}' FROM generate_series(1, 4) AS s")) {
      batch.setObject(1, id);
      batch.setString(2, name);
      batch.executeUpdate();
      items.setObject(1, id);
      items.executeUpdate();
    }
  }

  /** A pool on the fixture's database and Vert.x instance; the caller closes it. */
  static Pool pool(SluiceFixture fixture) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(fixture.db().url().host())
            .setPort(fixture.db().url().port())
            .setDatabase(fixture.db().url().database())
            .setUser(fixture.db().url().user());
    return PgBuilder.pool().connectingTo(connect).using(fixture.sluice().vertx()).build();
  }
}
