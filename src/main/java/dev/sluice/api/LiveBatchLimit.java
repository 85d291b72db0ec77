package dev.sluice.api;

import dev.sluice.auth.Principal;
import dev.sluice.batch.Batches;
import dev.sluice.http.Problem;
import io.vertx.core.Future;

/**
 * How many running or paused batches a faculty owner may have at once ({@code
 * SLUICE_MAX_LIVE_BATCHES_PER_OWNER}; 0 = no limit), checked before a create under {@code /api} and
 * {@code /v1} alike. Admins are not limited. Two creates at the same moment may both pass: the
 * limit is a guard against floods, not a quota.
 */
public final class LiveBatchLimit {

  private final Batches service;
  private final int max;

  public LiveBatchLimit(Batches service, int max) {
    this.service = service;
    this.max = max;
  }

  /** Succeeds when the principal may create one more batch; else fails with a 429 problem. */
  public Future<Void> roomFor(Principal principal) {
    if (max <= 0 || principal.admin()) {
      return Future.succeededFuture();
    }
    return service
        .liveCount(principal.owner())
        .compose(
            live ->
                live < max
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        new Problem(
                                429,
                                "too-many-live-batches",
                                "Too many live batches",
                                "You already have "
                                    + live
                                    + " running or paused batches, the most allowed ("
                                    + max
                                    + "); cancel one or wait for one to finish.")
                            .with("limit", max)));
  }
}
