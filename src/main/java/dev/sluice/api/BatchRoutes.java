package dev.sluice.api;

import dev.sluice.auth.AuthSettings;
import dev.sluice.auth.Principal;
import dev.sluice.batch.BatchCommand;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.BatchStatus;
import dev.sluice.batch.Batches;
import dev.sluice.batch.ControlResult;
import dev.sluice.batch.ItemStatus;
import dev.sluice.batch.ListKey;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.JsonBody;
import dev.sluice.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The batch API (README, "Using the API"; the contract in openapi.yaml) under {@code
 * /api/generation}: create, read, list, items, history, the results export, the live stream, and
 * the four controls. Every handler checks its input first and answers bad input with a problem. The
 * caller is the request's {@link Principal}: a faculty member sees and steers only their own
 * batches (another owner's batch is a 404, exactly as a missing one); an admin sees and steers all.
 */
public final class BatchRoutes {

  private static final String BASE = "/api/generation/batch";
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 500;
  private static final int MAX_REASON = 500;

  /** The stream sends a batch's state at most this often (four times a second). */
  private static final Duration STREAM_INTERVAL = Duration.ofMillis(250);

  private final Batches service;
  private final BatchCreate creates;
  private final BatchStream stream;
  private final BatchResults results;
  private final DoneViews lastDone = new DoneViews();

  public BatchRoutes(Batches service, HttpSettings http, BatchSettings batch, AuthSettings auth) {
    this.service = service;
    this.creates =
        new BatchCreate(
            service,
            new CreateBatchParser(http, batch),
            new LiveBatchLimit(service, auth.maxLiveBatchesPerOwner()),
            http.maxBodyBytes());
    this.stream = new BatchStream(service, this::view, STREAM_INTERVAL, http.idleTimeout());
    this.results = new BatchResults(service);
  }

  /**
   * The route that reads its own body as it arrives ({@link BatchCreate}): mount it ahead of the
   * body handler that buffers every other body.
   */
  public void mountStreamed(Router router) {
    router.post(BASE).handler(creates::handle);
  }

  /** The routes whose bodies, if any, the body handler has read. */
  public void mount(Router router) {
    router.get(BASE).handler(this::list);
    router.get(BASE + "/:batchId").handler(this::get);
    router.get(BASE + "/:batchId/items").handler(this::items);
    router.get(BASE + "/:batchId/events").handler(this::events);
    router.get(BASE + "/:batchId/results").handler(results::handle);
    router.get(BASE + "/:batchId/stream").handler(stream::handle);
    for (String command : new String[] {"pause", "resume", "cancel", "retry-failed"}) {
      router.post(BASE + "/:batchId/" + command).handler(ctx -> control(ctx, command));
    }
  }

  private void list(RoutingContext ctx) {
    BatchStatus status =
        statusFilter(
            ctx, BatchStatus::parse, "running, paused, completed, cancelled, failed or expired");
    int limit = limit(ctx);
    ListKey after = Cursors.listKey(ctx.request().getParam("cursor"));
    service
        .list(listOwner(ctx), status, limit, after)
        .onSuccess(
            page -> {
              JsonArray data = new JsonArray();
              page.data().forEach(b -> data.add(BatchViews.batch(b)));
              String next =
                  page.more() ? Cursors.listCursor(page.data().get(page.data().size() - 1)) : null;
              json(ctx, new JsonObject().put("data", data).put("nextCursor", next));
            })
        .onFailure(ctx::fail);
  }

  /** A faculty member lists their own batches; an admin lists all, or one owner's with ?owner=. */
  private static @Nullable String listOwner(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    if (!principal.admin()) {
      return principal.owner();
    }
    String owner = ctx.request().getParam("owner");
    if (owner != null && (owner.isBlank() || owner.length() > 200)) {
      throw Problem.badRequest("owner must be 1 to 200 characters long.");
    }
    return owner;
  }

  private void get(RoutingContext ctx) {
    withBatch(ctx, b -> Future.succeededFuture(view(b)));
  }

  /** A batch with, while the provider's circuit breaker holds it, how it waits. */
  private JsonObject view(BatchRecord b) {
    return BatchViews.batch(b, b.status().isTerminal() ? null : service.providerWait(b.id()));
  }

  private void items(RoutingContext ctx) {
    ItemStatus status =
        statusFilter(
            ctx, ItemStatus::parse, "pending, in_progress, succeeded, failed or cancelled");
    int limit = limit(ctx);
    int from = Cursors.afterSeq(ctx.request().getParam("cursor"));
    withBatch(
        ctx,
        b ->
            service
                .items(b.id(), status, limit, from)
                .map(
                    page -> {
                      JsonArray data = new JsonArray();
                      page.data().forEach(item -> data.add(BatchViews.item(item)));
                      String next =
                          page.more()
                              ? String.valueOf(page.data().get(page.data().size() - 1).seq())
                              : null;
                      return new JsonObject().put("data", data).put("nextCursor", next);
                    }));
  }

  private void events(RoutingContext ctx) {
    withBatch(
        ctx,
        b ->
            service
                .events(b.id())
                .map(
                    list -> {
                      JsonArray data = new JsonArray();
                      list.forEach(e -> data.add(BatchViews.event(e)));
                      return new JsonObject().put("data", data);
                    }));
  }

  private void control(RoutingContext ctx, String wire) {
    UUID id = batchId(ctx);
    String reason = reason(ctx);
    Principal principal = Principal.of(ctx);
    BatchCommand command = BatchCommand.ofWire(wire, principal.actor(), reason);
    if (command == null) {
      throw Problem.notFound("No such control: " + wire + ".");
    }
    service
        .control(id, principal.scope(), command)
        .onSuccess(result -> answer(ctx, id, wire, result))
        .onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, UUID id, String wire, ControlResult result) {
    if (result instanceof ControlResult.Done done) {
      ctx.response().putHeader("Content-Type", "application/json");
      ctx.end(lastDone.encode(done));
    } else if (result instanceof ControlResult.Missing) {
      ctx.fail(missing(id));
    } else if (result instanceof ControlResult.Refused refused) {
      ctx.fail(
          new Problem(
                  409, "illegal-transition", "Not allowed in the current state", refused.detail())
              .with("batchId", id.toString())
              .with("batchStatus", refused.current().wire())
              .with("command", wire));
    } else if (result instanceof ControlResult.Unavailable u) {
      ctx.response().putHeader("Retry-After", String.valueOf(u.retryAfterSeconds()));
      ctx.fail(
          new Problem(503, "unavailable", "Batch runner unavailable", u.detail())
              .with("batchId", id.toString()));
    }
  }

  private void withBatch(
      RoutingContext ctx, java.util.function.Function<BatchRecord, Future<JsonObject>> then) {
    UUID id = batchId(ctx);
    service
        .find(id, Principal.of(ctx).scope())
        .compose(
            found -> found.isEmpty() ? Future.failedFuture(missing(id)) : then.apply(found.get()))
        .onSuccess(body -> json(ctx, body))
        .onFailure(ctx::fail);
  }

  private static @Nullable String reason(RoutingContext ctx) {
    JsonObject body = JsonBody.optional(ctx);
    if (body == null) {
      return null;
    }
    Object reason = body.getValue("reason");
    if (reason != null && !(reason instanceof String)) {
      throw Problem.invalid("reason", "must be a string.");
    }
    if (reason != null && ((String) reason).length() > MAX_REASON) {
      throw Problem.invalid("reason", "must be at most " + MAX_REASON + " characters long.");
    }
    return (String) reason;
  }

  static UUID batchId(RoutingContext ctx) {
    String raw = ctx.pathParam("batchId");
    try {
      if (raw != null && raw.length() == 36) {
        return UUID.fromString(raw);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw Problem.badRequest("'" + raw + "' is not a batch id; batch ids are UUIDs.");
  }

  static Problem missing(UUID id) {
    return Problem.notFound("There is no batch " + id + ".").with("batchId", id.toString());
  }

  private static <T> @Nullable T statusFilter(
      RoutingContext ctx,
      java.util.function.Function<String, java.util.Optional<T>> parse,
      String allowed) {
    String raw = ctx.request().getParam("status");
    if (raw == null) {
      return null;
    }
    return parse
        .apply(raw)
        .orElseThrow(
            () -> Problem.badRequest("status must be one of " + allowed + "; got '" + raw + "'."));
  }

  private static int limit(RoutingContext ctx) {
    String raw = ctx.request().getParam("limit");
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw Problem.badRequest(
        "limit must be a whole number from 1 to " + MAX_LIMIT + "; got '" + raw + "'.");
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json");
    ctx.end(body.encode());
  }
}
