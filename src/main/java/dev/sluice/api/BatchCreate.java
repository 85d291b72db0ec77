package dev.sluice.api;

import dev.sluice.auth.Principal;
import dev.sluice.batch.BatchDraft;
import dev.sluice.batch.Batches;
import dev.sluice.batch.Created;
import dev.sluice.batch.InvalidBatchException;
import dev.sluice.http.Problem;
import dev.sluice.http.StreamedBody;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code POST /api/generation/batch}: the body — JSON, or OpenAI batch JSONL with {@code
 * Content-Type: application/x-ndjson} — is read as it arrives ({@link StreamedBody}), never whole:
 * its items are checked one at a time and stored in chunks in one transaction ({@link BatchDraft}),
 * and the batch exists only once it has all arrived and passed every check. Anything that goes
 * wrong half-way — a bad item, too many items, a body cut off, the database — leaves nothing
 * stored. The answer waits for the end of the body (so a syntax error late in it still wins over a
 * bad item early, as for a body read whole), except a 413, which is sent as soon as it is known.
 */
final class BatchCreate {

  private static final String BASE = "/api/generation/batch";

  private final Batches service;
  private final CreateBatchParser parser;
  private final LiveBatchLimit liveLimit;
  private final long maxBodyBytes;

  BatchCreate(
      Batches service, CreateBatchParser parser, LiveBatchLimit liveLimit, long maxBodyBytes) {
    this.service = service;
    this.parser = parser;
    this.liveLimit = liveLimit;
    this.maxBodyBytes = maxBodyBytes;
  }

  void handle(RoutingContext ctx) {
    boolean jsonl = jsonl(ctx.request().getHeader("Content-Type"));
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && (key.isBlank() || key.length() > 200)) {
      throw Problem.badRequest("The Idempotency-Key header must be 1 to 200 characters long.");
    }
    Principal principal = Principal.of(ctx);
    BatchDraft draft = service.draft(principal.owner());
    ItemIntake intake = new ItemIntake(draft, parser.items(), parser.maxItems());
    CreateBody body =
        jsonl
            ? new JsonlCreateBody(parser, intake, ctx.queryParams())
            : new JsonCreateBody(parser, intake);
    // Only a request with an Idempotency-Key is hashed: the hash tells its replay from another
    // request. A JSONL batch takes its name and settings from the query: the same key with other
    // settings is another request.
    String query = jsonl && ctx.request().query() != null ? ctx.request().query() : "";
    StreamedBody.read(ctx, maxBodyBytes, key == null ? null : query, body)
        .compose(
            read -> {
              if (read.length() == 0) {
                throw Problem.badRequest("The request needs a JSON body describing the batch.");
              }
              return body.batch(
                  new CreateRequest(draft.id(), principal.owner(), key, read.sha256()));
            })
        .compose(batch -> liveLimit.roomFor(principal).map(batch))
        .compose(batch -> service.create(draft, batch))
        .onSuccess(created -> answer(ctx, created))
        .onFailure(
            e -> {
              body.abandon();
              ctx.fail(asProblem(e));
            });
  }

  /** Whether the body is OpenAI batch JSONL; a 415 unless it is that or JSON. */
  private static boolean jsonl(String type) {
    String media = type == null ? "application/json" : type.toLowerCase(Locale.ROOT);
    boolean jsonl =
        media.startsWith("application/x-ndjson") || media.startsWith("application/jsonl");
    if (!media.startsWith("application/json") && !jsonl) {
      throw new Problem(
          415,
          "unsupported-media-type",
          "Unsupported media type",
          "Send the batch as application/json, or as OpenAI batch JSONL with"
              + " Content-Type: application/x-ndjson.");
    }
    return jsonl;
  }

  private static void answer(RoutingContext ctx, Created created) {
    if (created.keyConflict()) {
      ctx.fail(
          new Problem(
                  409,
                  "idempotency-key-reused",
                  "Idempotency key reused",
                  "This Idempotency-Key was already used for a different request body.")
              .with("batchId", created.batch().id().toString()));
      return;
    }
    ctx.response()
        .setStatusCode(created.replayed() ? 200 : 201)
        .putHeader("Location", BASE + "/" + created.batch().id())
        .putHeader("Content-Type", "application/json");
    ctx.end(BatchViews.batch(created.batch()).encode());
  }

  /** A batch the runtime cannot run as asked is a 422 naming the field at fault. */
  static Throwable asProblem(Throwable e) {
    return e instanceof InvalidBatchException invalid
        ? Problem.invalid(invalid.field(), String.valueOf(invalid.getMessage()))
        : e;
  }
}
