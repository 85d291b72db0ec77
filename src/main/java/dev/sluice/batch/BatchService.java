package dev.sluice.batch;

import dev.sluice.batch.Decision.Accepted;
import dev.sluice.batch.Decision.Rejected;
import dev.sluice.generate.OutputSchema;
import dev.sluice.generate.ProviderGate;
import dev.sluice.generate.ProviderWait;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Batches as the HTTP edge sees them ({@link Batches}): it stores a new batch and starts its
 * runner, carries control commands to the runner over the event bus (or answers them from the
 * stored state when none is live), and reads batches, items and history from the database.
 */
public final class BatchService implements Batches {

  private static final long CONTROL_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final BatchStore store;
  private final BatchSupervisor supervisor;
  private final ProviderGate gate;
  private final BatchSettings settings;
  private final SluiceMetrics metrics;
  private final Placement placement;

  public BatchService(
      Vertx vertx,
      BatchStore store,
      BatchSupervisor supervisor,
      ProviderGate gate,
      BatchSettings settings,
      SluiceMetrics metrics,
      Placement placement) {
    this.vertx = vertx;
    this.placement = placement;
    this.store = store;
    this.supervisor = supervisor;
    this.gate = gate;
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public @Nullable ProviderWait providerWait(UUID id) {
    return gate.waiting(id).orElse(null);
  }

  @Override
  public Future<Optional<BatchRecord>> find(UUID id, @Nullable String owner) {
    return owner == null ? store.reads().findAny(id) : store.reads().find(id, owner);
  }

  @Override
  public Future<Long> liveCount(String owner) {
    return store.reads().liveCount(owner);
  }

  @Override
  public Future<Page<BatchRecord>> list(
      @Nullable String owner, @Nullable BatchStatus status, int limit, @Nullable ListKey after) {
    return store.reads().list(owner, status, limit, after);
  }

  @Override
  public Future<Page<ItemRecord>> items(
      UUID batchId, @Nullable ItemStatus status, int limit, int afterSeq) {
    return store.reads().items(batchId, status, limit, afterSeq);
  }

  @Override
  public Future<Page<ItemRecord>> finishedItems(UUID batchId, int limit, int afterSeq) {
    return store.reads().finishedItems(batchId, limit, afterSeq);
  }

  @Override
  public Future<List<BatchEvent>> events(UUID batchId) {
    return store.reads().events(batchId);
  }

  @Override
  public Future<FileRecord> storeFile(NewFile file) {
    UUID id = UUID.randomUUID();
    FileSystem fs = vertx.fileSystem();
    return fs.props(file.uploadedPath())
        .compose(
            props ->
                fs.open(file.uploadedPath(), new OpenOptions().setRead(true))
                    .compose(source -> store.files().store(id, file, source, props.size())));
  }

  @Override
  public Future<Optional<FileRecord>> findFile(UUID id, String owner) {
    return store.files().find(id, owner);
  }

  @Override
  public Future<Page<FileRecord>> files(String owner, int limit, @Nullable UUID after) {
    return store.files().list(owner, limit, after);
  }

  @Override
  public Future<Page<String>> fileLines(UUID fileId, int afterLine, int limit) {
    return store.files().lines(fileId, afterLine, limit);
  }

  @Override
  public Future<Boolean> deleteFile(UUID id, String owner) {
    return store.files().delete(id, owner);
  }

  /**
   * Compiles the batch's output schema on a worker thread (an {@link InvalidBatchException} naming
   * {@code outputSchema} if it cannot be used), stores the batch and starts its runner; an
   * idempotent replay returns the first batch.
   */
  @Override
  public Future<Created> create(NewBatch batch) {
    long lease = settings.leaseTtl().toMillis();
    return usableSchema(batch)
        .compose(ok -> placement.choose())
        .compose(node -> store.writes().create(batch, node, lease).compose(c -> started(c, node)));
  }

  @Override
  public BatchDraft draft(String owner) {
    return store.writes().draft(UUID.randomUUID(), owner);
  }

  /**
   * A draft that never got a chunk holds nothing: its batch is stored as a small one is. Otherwise
   * the schema is checked and the node chosen before the draft's transaction is committed.
   */
  @Override
  public Future<Created> create(BatchDraft draft, NewBatch rest) {
    if (!draft.id().equals(rest.id())) {
      draft.abandon();
      return Future.failedFuture(new IllegalArgumentException("rest is not the draft's batch"));
    }
    if (draft.added() == 0) {
      draft.abandon();
      return create(rest);
    }
    long lease = settings.leaseTtl().toMillis();
    return usableSchema(rest)
        .compose(ok -> placement.choose())
        .compose(node -> draft.commit(rest, node, lease).compose(c -> started(c, node)))
        .onFailure(e -> draft.abandon());
  }

  private Future<Created> started(Created created, String node) {
    if (created.replayed() || created.keyConflict()) {
      return Future.succeededFuture(created);
    }
    BatchRecord stored = created.batch();
    BatchChanges.publish(vertx, stored.snapshot(), List.of(Transition.created(stored.owner())));
    return placement.handTo(node, stored).map(created);
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
                        new InvalidBatchException(
                            "outputSchema", String.valueOf(ar.cause().getMessage()))));
  }

  @Override
  public Future<ControlResult> control(UUID id, @Nullable String owner, BatchCommand command) {
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
  private Future<ControlResult> send(UUID id, @Nullable String owner, BatchCommand command) {
    ControlRequest request =
        new ControlRequest(command.wire(), command.actor(), command.reason(), owner);
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
  private Future<ControlResult> dormant(UUID id, @Nullable String owner, BatchCommand command) {
    return find(id, owner)
        .compose(
            now ->
                now.isEmpty()
                    ? Future.succeededFuture(new ControlResult.Missing())
                    : controlDormant(now.get(), command));
  }

  /**
   * Answers a control request for a batch no runner is listening for: a terminal batch answers from
   * its stored state, and retry-failed reopens it; a live batch without a runner is being
   * recovered, so the caller should try again.
   */
  private Future<ControlResult> controlDormant(BatchRecord current, BatchCommand command) {
    if (!current.status().isTerminal()) {
      supervisor.recoverSoon(current.id(), "a control found no runner");
      return Future.succeededFuture(
          new ControlResult.Unavailable("The batch is being recovered; try again in a moment."));
    }
    Decision d = BatchMachine.decide(current.snapshot(), command);
    if (d instanceof Rejected r) {
      return Future.succeededFuture(new ControlResult.Refused(r.current(), r.detail()));
    }
    Accepted accepted = (Accepted) d;
    return placement
        .choose()
        .compose(
            node ->
                store
                    .writes()
                    .reopen(current, accepted, node, settings.leaseTtl().toMillis())
                    .compose(
                        reopened -> {
                          if (reopened.isEmpty()) {
                            return Future.succeededFuture(
                                new ControlResult.Unavailable(
                                    "The batch changed meanwhile; try again."));
                          }
                          BatchChanges.publish(
                              vertx, reopened.get().snapshot(), List.of(accepted.transition()));
                          return placement
                              .handTo(node, reopened.get())
                              .map(new ControlResult.Done(reopened.get()));
                        }));
  }
}
