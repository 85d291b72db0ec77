package dev.sluice.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;

/**
 * The two connection pools of a node, kept apart so that neither side can starve the other: the
 * batch runners write through {@code runners}, HTTP requests read and create batches through {@code
 * requests}. A crowd of requests — hundreds of creates, each holding a connection while its body
 * arrives — once took every connection for longer than a runner would wait, and the runners stopped
 * and were recovered one by one (docs/decisions.md, "Runners and requests have pools of their
 * own").
 *
 * <p>A runner waits up to {@link #RUNNER_WAIT} for a free connection: the runners of a thousand
 * batches share {@code database.pool-size} connections, and a wait in that queue is not a failed
 * write. A request waits the pool's usual 5 s and is then answered 503 with {@code Retry-After}.
 * Opening a connection gives up after 5 s in both, so a database that is down is noticed at once.
 */
record Pools(Pool runners, Pool requests) {

  static final Duration RUNNER_WAIT = Duration.ofSeconds(30);

  static Pools open(Database database, Vertx vertx, SluiceConfig config, Duration idle) {
    return new Pools(
        database.pool(vertx, config.databasePoolSize(), idle, RUNNER_WAIT),
        database.pool(vertx, config.databaseRequestPoolSize(), idle));
  }

  /** Closes both; a pool that fails to close is closed as far as it goes. */
  Future<Void> close() {
    return Future.join(requests.close(), runners.close()).<Void>mapEmpty().otherwiseEmpty();
  }
}
