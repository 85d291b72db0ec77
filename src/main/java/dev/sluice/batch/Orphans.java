package dev.sluice.batch;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live batches of this node that have no runner right now, and when to try recovering each
 * again. A batch stays here until a runner is deployed for it (or another node is found to own it):
 * however often a claim fails, the next try comes after a backoff that doubles from {@link
 * #FIRST_RETRY} up to {@link #MAX_RETRY}, so a batch is back within a few seconds of the database
 * answering again. Times are milliseconds from the caller's clock; safe to use from any thread.
 */
final class Orphans {

  static final Duration FIRST_RETRY = Duration.ofMillis(250);
  static final Duration MAX_RETRY = Duration.ofSeconds(4);

  /** One batch without a runner: since when, how many recoveries failed, the latest reason. */
  record Orphan(UUID batchId, long since, int attempts, long due, String why) {}

  private final Map<UUID, Orphan> orphans = new ConcurrentHashMap<>();

  /** The batch lost its runner (or never got one); the first recovery is due at once. */
  void lost(UUID id, long now, String why) {
    orphans.merge(
        id,
        new Orphan(id, now, 0, now, why),
        (old, fresh) -> new Orphan(id, old.since(), old.attempts(), Math.min(old.due(), now), why));
  }

  /** A recovery of the batch failed; the next one waits a little longer. */
  void failed(UUID id, long now, String why) {
    orphans.computeIfPresent(
        id,
        (k, old) -> {
          int attempts = old.attempts() + 1;
          return new Orphan(id, old.since(), attempts, now + backoff(attempts).toMillis(), why);
        });
  }

  /** The batch has a runner again, or is no longer this node's to run. */
  void settled(UUID id) {
    orphans.remove(id);
  }

  /** The batches whose next recovery is due. */
  List<UUID> due(long now) {
    List<UUID> out = new ArrayList<>();
    orphans
        .values()
        .forEach(
            o -> {
              if (o.due() <= now) {
                out.add(o.batchId());
              }
            });
    return out;
  }

  Optional<Orphan> get(UUID id) {
    return Optional.ofNullable(orphans.get(id));
  }

  boolean contains(UUID id) {
    return orphans.containsKey(id);
  }

  int count() {
    return orphans.size();
  }

  /** The batch that has been without a runner longest, if any. */
  Optional<Orphan> oldest() {
    return orphans.values().stream().min((a, b) -> Long.compare(a.since(), b.since()));
  }

  /**
   * The node's runners as its health check reports them, {@code starting} of them still starting:
   * failed, saying which batch waits and why, once a batch has been without a runner longer than
   * {@code stuckAfter}.
   */
  Future<String> check(int starting, Duration stuckAfter, long now) {
    Optional<Orphan> first = oldest();
    if (first.isEmpty()) {
      return Future.succeededFuture(
          starting == 0
              ? "every live batch has a runner"
              : "every live batch has a runner; " + starting + " of them still starting");
    }
    Orphan o = first.get();
    long waited = now - o.since();
    String detail =
        count()
            + " batch(es) wait for a runner; batch "
            + o.batchId()
            + " for "
            + waited
            + " ms after "
            + o.attempts()
            + " failed recoveries ("
            + o.why()
            + ")";
    return waited > stuckAfter.toMillis()
        ? Future.failedFuture(detail)
        : Future.succeededFuture(detail);
  }

  /** The wait before the next try after {@code attempts} failed ones. */
  static Duration backoff(int attempts) {
    long millis = FIRST_RETRY.toMillis() << Math.min(Math.max(0, attempts - 1), 10);
    return Duration.ofMillis(Math.min(millis, MAX_RETRY.toMillis()));
  }
}
