package dev.sluice.batch;

import io.vertx.core.Vertx;

/**
 * The one timer that writes a runner's waiting results and marks once {@code commit-max-delay-ms}
 * has passed, so that they go out in groups rather than one commit per wake-up. Used on the
 * runner's context only.
 */
final class FlushTimer {

  private final Vertx vertx;
  private final long delayMillis;
  private long timer = -1;

  FlushTimer(Vertx vertx, BatchSettings settings) {
    this.vertx = vertx;
    this.delayMillis = Math.max(1, settings.commitMaxDelay().toMillis());
  }

  /** Runs {@code write} after the delay, unless a flush is already set. */
  void schedule(Runnable write) {
    if (timer >= 0) {
      return;
    }
    timer =
        vertx.setTimer(
            delayMillis,
            t -> {
              timer = -1;
              write.run();
            });
  }

  /** A commit is being written now: the set flush, if any, is not needed. */
  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timer = -1;
  }
}
