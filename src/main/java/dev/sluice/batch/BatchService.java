package dev.sluice.batch;

import dev.sluice.generate.OutputSchema;
import dev.sluice.generate.ProviderGate;
import dev.sluice.http.Problem;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * What the routes ask of batches: create one and start its runner, and carry control commands to
 * the runner over the event bus (or answer them from the stored state when none is live).
 */
public final class BatchService {

  private static final long CONTROL_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final BatchRepository repository;
  private final BatchSupervisor supervisor;
  private final ProviderGate gate;
  private final BatchSettings settings;
  private final SluiceMetrics metrics;

  public BatchService(
      Vertx vertx,
      BatchRepository repository,
      BatchSupervisor supervisor,
      ProviderGate gate,
      BatchSettings settings,
      SluiceMetrics metrics) {
    this.vertx = vertx;
    this.repository = repository;
    this.supervisor = supervisor;
    this.gate = gate;
    this.settings = settings;
    this.metrics = metrics;
  }

  public BatchRepository repository() {
    return repository;
  }

  /** A batch as the API shows it, with how it waits for the provider while the breaker holds it. */
  JsonObject view(BatchRecord batch) {
    return BatchViews.batch(
        batch, batch.status().isTerminal() ? null : gate.waiting(batch.id()).orElse(null));
  }

  /**
   * Compiles the batch's output schema on a worker thread (a 422 naming {@code outputSchema} if it
   * cannot be used), stores the batch and starts its runner; an idempotent replay returns the first
   * batch.
   */
  Future<BatchRepository.Created> create(NewBatch batch) {
    return usableSchema(batch)
        .compose(ok -> repository.create(batch, settings.nodeId(), settings.leaseTtl().toMillis()))
        .compose(
            created -> {
              if (created.replayed() || created.keyConflict()) {
                return Future.succeededFuture(created);
              }
              BatchRecord stored = created.batch();
              BatchChanges.publish(
                  vertx, stored.snapshot(), List.of(Transition.created(batch.owner())));
              return supervisor.launch(stored).map(created);
            });
  }

  private Future<Void> usableSchema(NewBatch batch) {
    JsonObject schema = batch.config().outputSchema();
    if (schema == null) {
      return Future.succeededFuture();
    }
    return OutputSchema.of(schema, settings.outputSchemaLimits())
        .compile(vertx)
        .transform(
            ar ->
                ar.succeeded()
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        Problem.invalid("outputSchema", String.valueOf(ar.cause().getMessage()))));
  }

  /** Sends a command to the batch's runner and answers once the outcome is stored. */
  public Future<ControlResult> control(UUID id, String owner, BatchCommand command) {
    return send(id, owner, command)
        .andThen(ar -> metrics.controlAnswered(command.wire(), result(ar)));
  }

  /** The {@code result} label of a control request's answer. */
  private static String result(AsyncResult<ControlResult> ar) {
    if (ar.failed()) {
      return "error";
    }
    ControlResult r = ar.result();
    if (r instanceof ControlResult.Done) {
      return "accepted";
    } else if (r instanceof ControlResult.Refused) {
      return "conflict";
    } else if (r instanceof ControlResult.Missing) {
      return "not_found";
    }
    return "unavailable";
  }

  /**
   * Straight to the runner, which checks the owner (no read on the way there). A runner that has
   * ended, or no runner at all (none deployed, or one unregistering, which discards the request, or
   * one that did not answer in time), leaves the answer to the stored batch.
   */
  private Future<ControlResult> send(UUID id, String owner, BatchCommand command) {
    ControlRequest request = new ControlRequest(command.wire(), command.actor(), command.reason());
    DeliveryOptions options =
        new DeliveryOptions()
            .setSendTimeout(CONTROL_TIMEOUT_MS)
            .setCodecName(ControlRequest.Codec.NAME);
    return vertx
        .eventBus()
        .<ControlResult>request(ControlRequest.address(id), request, options)
        .map(Message::body)
        .recover(
            failure ->
                failure instanceof ReplyException
                    ? Future.succeededFuture(new ControlResult.Ended())
                    : Future.failedFuture(failure))
        .compose(
            result ->
                result instanceof ControlResult.Ended
                    ? dormant(id, owner, command)
                    : Future.succeededFuture(result));
  }

  /** The answer of the stored batch, for a control no runner answered. */
  private Future<ControlResult> dormant(UUID id, String owner, BatchCommand command) {
    return repository
        .find(id, owner)
        .compose(
            now ->
                now.isEmpty()
                    ? Future.succeededFuture(new ControlResult.Missing())
                    : supervisor.controlDormant(now.get(), command));
  }
}
