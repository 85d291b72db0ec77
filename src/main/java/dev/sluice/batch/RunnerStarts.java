package dev.sluice.batch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Starts the runners of many batches at once — a recovery, a takeover — without flooding the
 * database. Runners start in groups: the first pending items of a group's running batches are read
 * in one query and handed to their runners, and at most {@link #STARTING} runners are starting at a
 * time, a runner counting as started once it has had its first look at its batch (what it
 * dispatched at once is stored, or it had nothing to write). Ten thousand runners so put their
 * first reads and commits to the connection pool a few hundred at a time, never all at once, where
 * they would wait past the pool's timeout and fail. Every call shares the one queue; it is worked
 * on a context of its own.
 */
final class RunnerStarts {

  /** Runners starting at once: enough to keep the pool busy, few enough to wait briefly for it. */
  static final int STARTING = 256;

  /** Runners whose first pending items are read in one query. */
  static final int GROUP = 128;

  private record Waiting(BatchVerticle runner, Promise<Void> started) {}

  private final Context context;
  private final BatchReads reads;
  private final BatchSettings settings;
  private final Function<BatchVerticle, Future<Void>> deploy;
  private final BooleanSupplier stopped;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private int starting;
  private boolean reading;

  /**
   * {@code deploy} deploys a runner and completes once it has had its first look (or could not
   * start); {@code stopped} says the node deploys nothing more (it is handing its batches over).
   */
  RunnerStarts(
      Vertx vertx,
      BatchReads reads,
      BatchSettings settings,
      Function<BatchVerticle, Future<Void>> deploy,
      BooleanSupplier stopped) {
    this.context = vertx.getOrCreateContext();
    this.reads = reads;
    this.settings = settings;
    this.deploy = deploy;
    this.stopped = stopped;
  }

  /** Starts the runners, after those already queued; completes once every one has started. */
  Future<Void> start(List<BatchVerticle> runners) {
    List<Waiting> added = new ArrayList<>(runners.size());
    List<Future<Void>> started = new ArrayList<>(runners.size());
    for (BatchVerticle r : runners) {
      Waiting w = new Waiting(r, Promise.promise());
      added.add(w);
      started.add(w.started().future());
    }
    context.runOnContext(
        v -> {
          queue.addAll(added);
          next();
        });
    return Future.join(started).mapEmpty();
  }

  /** How many runners wait to be deployed or are starting. */
  int pending() {
    return queue.size() + starting;
  }

  /** Reads the next group's first pages once there is room for a whole group. */
  private void next() {
    if (stopped.getAsBoolean()) {
      Waiting w;
      while ((w = queue.poll()) != null) {
        w.started().complete();
      }
      return;
    }
    if (reading || queue.isEmpty() || starting > STARTING - GROUP) {
      return;
    }
    List<Waiting> group = new ArrayList<>(GROUP);
    while (group.size() < GROUP && !queue.isEmpty()) {
      group.add(queue.poll());
    }
    starting += group.size();
    reading = true;
    firstPages(group)
        .onComplete(
            ar -> {
              reading = false;
              Map<UUID, List<PendingItem>> pages = ar.succeeded() ? ar.result() : Map.of();
              group.forEach(w -> deploy(w, pages.get(w.runner().record().id())));
              next();
            });
  }

  /**
   * The first pending items of the group's running batches, in one query. Should it fail, each
   * runner reads its own.
   */
  private Future<Map<UUID, List<PendingItem>>> firstPages(List<Waiting> group) {
    Map<UUID, Integer> limits = new HashMap<>();
    for (Waiting w : group) {
      BatchRecord r = w.runner().record();
      if (r.status() == BatchStatus.RUNNING && r.counts().pending() > 0) {
        limits.put(r.id(), Dispatcher.windowSize(settings, r.batchConfig().concurrency()));
      }
    }
    return limits.isEmpty() ? Future.succeededFuture(Map.of()) : reads.firstWindows(limits);
  }

  private void deploy(Waiting w, @Nullable List<PendingItem> page) {
    if (page != null) {
      w.runner().startFrom(page);
    }
    deploy
        .apply(w.runner())
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      starting--;
                      if (ar.succeeded()) {
                        w.started().complete();
                      } else {
                        w.started().fail(ar.cause());
                      }
                      next();
                    }));
  }
}
