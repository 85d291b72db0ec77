package dev.sluice.batch;

import dev.sluice.generate.ProviderGate;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the provider's circuit breaker does to batches: when it opens, every batch using the
 * provider is paused by {@code system} with reason {@value #UNAVAILABLE}; when a probe gets an
 * answer again, those batches that are still paused for that reason are resumed. A user may resume
 * or cancel them meanwhile, as any paused batch.
 */
public final class BreakerActions implements ProviderGate.BreakerListener {

  private static final Logger log = LoggerFactory.getLogger(BreakerActions.class);
  public static final String UNAVAILABLE = "provider_unavailable";
  public static final String AVAILABLE = "provider_available";

  private final Vertx vertx;
  private final BatchRepository repository;

  public BreakerActions(Vertx vertx, BatchRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  @Override
  public void opened(Set<UUID> batches) {
    batches.forEach(id -> send(id, "pause", UNAVAILABLE));
  }

  @Override
  public void closed(Set<UUID> batches) {
    for (UUID id : batches) {
      repository
          .findAny(id)
          .onSuccess(
              found ->
                  found
                      .filter(b -> b.status() == BatchStatus.PAUSED)
                      .filter(b -> UNAVAILABLE.equals(b.statusReason()))
                      .ifPresent(b -> send(id, "resume", AVAILABLE)));
    }
  }

  private void send(UUID id, String command, String reason) {
    DeliveryOptions options = new DeliveryOptions().setCodecName(ControlRequest.Codec.NAME);
    vertx
        .eventBus()
        .request(
            ControlRequest.address(id),
            new ControlRequest(command, BatchMachine.SYSTEM, reason),
            options)
        .onFailure(
            e -> log.info("batch={} {} on provider {}: {}", id, command, reason, e.getMessage()));
  }
}
