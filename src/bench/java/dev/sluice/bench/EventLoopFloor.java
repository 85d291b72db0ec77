package dev.sluice.bench;

import dev.sluice.support.TestDatabase;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The same bare one-row commit as {@link CommitFloor.Probe}, but sent from one of Sluice's event
 * loops through a Vert.x pool, as a runner sends its commits: the difference between the two is
 * what the event loops, busy with the load, add to a commit's round trip. Timed from the moment the
 * loop sends it to the moment the loop handles the answer.
 */
final class EventLoopFloor {

  private static final String UPDATE = CommitFloor.UPDATE_ROW + "$1";

  private final Pool pool;
  private final Context context;
  private final List<Double> latencies = new ArrayList<>();
  private final Random random = new Random(2);
  private final long timer;
  private boolean busy;

  /** Starts a commit every {@code everyMs} on a fresh event-loop context of {@code vertx}. */
  static EventLoopFloor during(Vertx vertx, TestDatabase db, long everyMs) {
    CommitFloor.createTable(db);
    return new EventLoopFloor(vertx, db, everyMs);
  }

  private EventLoopFloor(Vertx vertx, TestDatabase db, long everyMs) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(db.url().host())
            .setPort(db.url().port())
            .setDatabase(db.url().database())
            .setUser(db.url().user())
            .setCachePreparedStatements(true);
    this.pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(1))
            .connectingTo(connect)
            .using(vertx)
            .build();
    this.context = vertx.getOrCreateContext();
    CompletableFuture<Long> id = new CompletableFuture<>();
    context.runOnContext(v -> id.complete(vertx.setPeriodic(everyMs, t -> commitOnce())));
    this.timer = id.join();
  }

  private void commitOnce() {
    if (busy) {
      return; // the one before is still out: the next tick sends the next
    }
    busy = true;
    long t0 = System.nanoTime();
    pool.preparedQuery(UPDATE)
        .execute(Tuple.of(1 + random.nextInt(CommitFloor.ROWS)))
        .onComplete(
            ar -> {
              busy = false;
              if (ar.succeeded()) {
                latencies.add(SluiceBench.millis(t0, System.nanoTime()));
              }
            });
  }

  /** Stops the commits and returns their latencies in milliseconds. */
  List<Double> stop() throws Exception {
    CompletableFuture<List<Double>> out = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          context.owner().cancelTimer(timer);
          out.complete(List.copyOf(latencies));
        });
    List<Double> result = out.get(10, TimeUnit.SECONDS);
    pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return result;
  }
}
