package dev.sluice.batch;

import dev.sluice.generate.ProviderGate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the provider's circuit breaker does to batches: when it opens, every batch using the
 * provider is paused by {@code system} with reason {@value #UNAVAILABLE}; when it wants a request
 * to try the provider with, one of those batches is resumed with reason {@value #PROBE}; when the
 * provider answers again, those batches that are still paused for that reason are resumed with
 * reason {@value #AVAILABLE}. A resume waits for the answer to the pause sent before it, and is
 * tried again while the batch's runner cannot take it, so no batch stays paused by a breaker that
 * has closed. A user may resume or cancel them meanwhile, as any paused batch.
 */
public final class BreakerActions implements ProviderGate.BreakerListener {

  private static final Logger log = LoggerFactory.getLogger(BreakerActions.class);
  public static final String UNAVAILABLE = "provider_unavailable";
  public static final String AVAILABLE = "provider_available";
  public static final String PROBE = "provider_probe";

  private static final int RESUME_TRIES = 60;
  private static final long RESUME_RETRY_MS = 1000;

  private final Vertx vertx;
  private final BatchReads reads;
  private final Map<UUID, Future<?>> pausing = new ConcurrentHashMap<>();

  public BreakerActions(Vertx vertx, BatchReads reads) {
    this.vertx = vertx;
    this.reads = reads;
  }

  @Override
  public void opened(Set<UUID> batches) {
    for (UUID id : batches) {
      Future<?> pause = send(id, "pause", UNAVAILABLE);
      pausing.put(id, pause);
      pause.onComplete(ar -> pausing.remove(id, pause));
    }
  }

  @Override
  public Future<Boolean> probe(UUID id) {
    return afterPause(id)
        .compose(v -> reads.findAny(id))
        .compose(
            found -> {
              BatchRecord b = found.orElse(null);
              if (b == null || b.status().isTerminal()) {
                return Future.succeededFuture(false);
              }
              if (b.status() == BatchStatus.RUNNING) {
                return Future.succeededFuture(true);
              }
              if (!pausedForProvider(found)) {
                return Future.succeededFuture(false);
              }
              return send(id, "resume", PROBE).map(r -> r instanceof ControlResult.Done);
            });
  }

  @Override
  public void closed(Set<UUID> batches) {
    batches.forEach(id -> afterPause(id).onComplete(v -> resume(id, RESUME_TRIES)));
  }

  private void resume(UUID id, int tries) {
    reads
        .findAny(id)
        .compose(
            found ->
                pausedForProvider(found)
                    ? send(id, "resume", AVAILABLE).mapEmpty()
                    : Future.succeededFuture())
        .onFailure(
            e -> {
              if (tries > 1) {
                vertx.setTimer(RESUME_RETRY_MS, t -> resume(id, tries - 1));
              }
            });
  }

  private static boolean pausedForProvider(Optional<BatchRecord> found) {
    return found
        .filter(b -> b.status() == BatchStatus.PAUSED && UNAVAILABLE.equals(b.statusReason()))
        .isPresent();
  }

  /** Completes once the pause sent to the batch, if any, has been answered, however. */
  private Future<Void> afterPause(UUID id) {
    Future<?> pause = pausing.get(id);
    return pause == null
        ? Future.succeededFuture()
        : pause.transform(ar -> Future.succeededFuture());
  }

  /**
   * Sends a command to the batch's runner. A refusal or an unknown batch is an answer (the batch
   * moved on); no runner, or one that could not store the change, is a failure worth retrying.
   */
  private Future<ControlResult> send(UUID id, String command, String reason) {
    DeliveryOptions options = new DeliveryOptions().setCodecName(ControlRequest.Codec.NAME);
    return vertx
        .eventBus()
        .<ControlResult>request(
            ControlRequest.address(id),
            new ControlRequest(command, BatchMachine.SYSTEM, reason, null),
            options)
        .map(Message::body)
        .compose(
            r ->
                r instanceof ControlResult.Unavailable u
                    ? Future.<ControlResult>failedFuture(u.detail())
                    : Future.succeededFuture(r))
        .onFailure(
            e -> log.info("batch={} {} on provider {}: {}", id, command, reason, e.getMessage()));
  }
}
