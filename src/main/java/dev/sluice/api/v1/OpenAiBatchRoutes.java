package dev.sluice.api.v1;

import dev.sluice.api.LiveBatchLimit;
import dev.sluice.auth.Principal;
import dev.sluice.batch.BatchCommand;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.Batches;
import dev.sluice.batch.ControlResult;
import dev.sluice.batch.ListKey;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.JsonBody;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code /v1/batches}: create a batch from an uploaded file, read and list batches as OpenAI batch
 * objects, cancel, and Sluice's extensions pause, resume and retry-failed. Each control is the
 * native control of the same batch; its answer is the batch object once the change is stored.
 */
final class OpenAiBatchRoutes {

  private static final String BATCHES = OpenAiRoutes.BASE + "/batches";

  private final Batches service;
  private final OpenAiBatchCreate creator;
  private final LiveBatchLimit liveLimit;

  OpenAiBatchRoutes(
      Batches service, HttpSettings http, BatchSettings batch, LiveBatchLimit liveLimit) {
    this.service = service;
    this.liveLimit = liveLimit;
    this.creator = new OpenAiBatchCreate(service, http, batch);
  }

  void mount(Router router) {
    router.post(BATCHES).handler(this::create);
    router.get(BATCHES).handler(this::list);
    router.get(BATCHES + "/:batch_id").handler(this::get);
    for (String command : new String[] {"cancel", "pause", "resume", "retry-failed"}) {
      router.post(BATCHES + "/:batch_id/" + command).handler(ctx -> control(ctx, command));
    }
  }

  private void create(RoutingContext ctx) {
    JsonObject body = JsonBody.optional(ctx);
    if (body == null) {
      throw OpenAiError.badRequest(
          "The request needs a JSON body with input_file_id, endpoint and completion_window.",
          null);
    }
    liveLimit
        .roomFor(Principal.of(ctx))
        .compose(room -> creator.create(body, OpenAiRoutes.owner(ctx)))
        .onSuccess(b -> OpenAiRoutes.json(ctx, OpenAiViews.batch(b)))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    UUID id = batchId(ctx);
    service
        .find(id, OpenAiRoutes.scope(ctx))
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                ctx.fail(missing(ctx));
              } else {
                OpenAiRoutes.json(ctx, OpenAiViews.batch(found.get()));
              }
            })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    int limit = OpenAiRoutes.limit(ctx, 20, 100);
    @Nullable String owner = OpenAiRoutes.scope(ctx);
    after(ctx, owner)
        .compose(key -> service.list(owner, null, limit, key))
        .onSuccess(
            page -> {
              JsonArray data = new JsonArray();
              page.data().forEach(b -> data.add(OpenAiViews.batch(b)));
              OpenAiRoutes.json(ctx, OpenAiRoutes.list(data, page.more()));
            })
        .onFailure(ctx::fail);
  }

  /** The list position of the {@code after} batch: the caller's batch it names, or a 400. */
  private Future<@Nullable ListKey> after(RoutingContext ctx, @Nullable String owner) {
    String after = ctx.request().getParam("after");
    if (after == null) {
      return Future.succeededFuture(null);
    }
    UUID id =
        OpenAiIds.batchId(after)
            .orElseThrow(
                () ->
                    OpenAiError.badRequest(
                        "after must be a batch id such as batch_…; got '" + after + "'.", "after"));
    return service
        .find(id, owner)
        .map(
            found ->
                found
                    .map(b -> new ListKey(b.createdAt(), b.id()))
                    .orElseThrow(
                        () ->
                            OpenAiError.badRequest(
                                "after names no batch of yours: '" + after + "'.", "after")));
  }

  private void control(RoutingContext ctx, String wire) {
    UUID id = batchId(ctx);
    @Nullable String owner = OpenAiRoutes.scope(ctx);
    BatchCommand command = BatchCommand.ofWire(wire, OpenAiRoutes.actor(ctx), null);
    if (command == null) {
      throw OpenAiError.notFound("No such control: " + wire + ".");
    }
    service
        .control(id, owner, command)
        .onSuccess(result -> answer(ctx, wire, result))
        .onFailure(ctx::fail);
  }

  private static void answer(RoutingContext ctx, String wire, ControlResult result) {
    if (result instanceof ControlResult.Done done) {
      OpenAiRoutes.json(ctx, OpenAiViews.batch(done.batch()));
    } else if (result instanceof ControlResult.Refused refused) {
      ctx.fail(
          new OpenAiError(
              409,
              OpenAiError.INVALID_REQUEST,
              refused.detail()
                  + " ("
                  + wire
                  + " refused; the batch is "
                  + refused.current().wire()
                  + ".)",
              null,
              "illegal_transition"));
    } else if (result instanceof ControlResult.Unavailable u) {
      ctx.response().putHeader("Retry-After", String.valueOf(u.retryAfterSeconds()));
      ctx.fail(new OpenAiError(503, "server_error", u.detail(), null, "unavailable"));
    } else {
      ctx.fail(missing(ctx));
    }
  }

  private static UUID batchId(RoutingContext ctx) {
    return OpenAiIds.batchId(String.valueOf(ctx.pathParam("batch_id")))
        .orElseThrow(() -> missing(ctx));
  }

  private static OpenAiError missing(RoutingContext ctx) {
    return OpenAiError.notFound("No batch found with id '" + ctx.pathParam("batch_id") + "'.");
  }
}
