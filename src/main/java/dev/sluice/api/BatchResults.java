package dev.sluice.api;

import dev.sluice.auth.Principal;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.Batches;
import dev.sluice.batch.ItemRecord;
import dev.sluice.batch.ItemStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/generation/batch/:batchId/results}: the batch's finished items as JSON Lines in
 * the shape of an OpenAI batch output file, one line per item that succeeded ({@code response}) or
 * failed ({@code error}). Pages are read from the database one at a time and the next page is read
 * only once the previous one is written, so a large batch is never held in memory and a slow client
 * slows the export rather than filling the server's buffers. A running batch's export holds the
 * items finished when each page was read.
 */
public final class BatchResults {

  static final String CONTENT_TYPE = "application/x-ndjson";
  private static final Logger log = LoggerFactory.getLogger(BatchResults.class);
  private static final int PAGE = 500;

  private final Batches batches;

  BatchResults(Batches batches) {
    this.batches = batches;
  }

  void handle(RoutingContext ctx) {
    UUID id = BatchRoutes.batchId(ctx);
    batches
        .find(id, Principal.of(ctx).scope())
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                ctx.fail(BatchRoutes.missing(id));
                return;
              }
              ctx.response()
                  .setChunked(true)
                  .putHeader("Content-Type", CONTENT_TYPE)
                  .putHeader(
                      "Content-Disposition",
                      "attachment; filename=\"sluice-" + id + "-results.jsonl\"");
              page(ctx, found.get(), 0);
            })
        .onFailure(ctx::fail);
  }

  private void page(RoutingContext ctx, BatchRecord batch, int afterSeq) {
    HttpServerResponse response = ctx.response();
    batches
        .finishedItems(batch.id(), PAGE, afterSeq)
        .compose(
            page -> {
              Buffer lines = Buffer.buffer();
              String model = batch.batchConfig().model();
              page.data().forEach(item -> lines.appendString(line(batch.id(), model, item)));
              List<ItemRecord> items = page.data();
              Integer next = page.more() ? items.get(items.size() - 1).seq() : null;
              return response.write(lines).map(next);
            })
        .onSuccess(next -> continueOrEnd(ctx, batch, next))
        .onFailure(
            e -> {
              if (!response.headWritten()) {
                ctx.fail(e);
              } else if (!response.closed()) {
                // Too late for a problem: break the connection so the client sees a failed
                // download.
                log.warn("batch={} results export broken off: {}", batch.id(), e.getMessage());
                response.reset();
              }
            });
  }

  private void continueOrEnd(RoutingContext ctx, BatchRecord batch, @Nullable Integer next) {
    if (ctx.response().closed()) {
      return;
    } else if (next == null) {
      ctx.response().end();
    } else {
      page(ctx, batch, next);
    }
  }

  /** One line of the export for a finished item. */
  public static String line(UUID batchId, String model, ItemRecord item) {
    String ref = batchId.toString().replace("-", "") + "_" + item.seq();
    JsonObject line =
        new JsonObject().put("id", "batch_req_" + ref).put("custom_id", item.itemId());
    if (item.status() == ItemStatus.SUCCEEDED) {
      line.put("response", response(ref, model, item)).putNull("error");
    } else {
      JsonObject error = item.error() == null ? new JsonObject() : item.error();
      line.putNull("response")
          .put(
              "error",
              new JsonObject()
                  .put("code", error.getString("code", "failed"))
                  .put("message", error.getString("message", "The item failed.")));
    }
    return line.encode() + "\n";
  }

  private static JsonObject response(String ref, String model, ItemRecord item) {
    JsonObject usage = item.usage() == null ? new JsonObject() : item.usage();
    int prompt = usage.getInteger("promptTokens", 0);
    int completion = usage.getInteger("completionTokens", 0);
    long created = item.finishedAt() == null ? 0 : item.finishedAt().toEpochSecond();
    JsonObject choice =
        new JsonObject()
            .put("index", 0)
            .put(
                "message",
                new JsonObject()
                    .put("role", "assistant")
                    .put("content", item.output() == null ? "" : item.output()))
            .putNull("logprobs")
            .put("finish_reason", usage.getString("finishReason", "stop"));
    JsonObject body =
        new JsonObject()
            .put("id", "chatcmpl-" + ref)
            .put("object", "chat.completion")
            .put("created", created)
            .put("model", model)
            .put("choices", new JsonArray().add(choice))
            .put(
                "usage",
                new JsonObject()
                    .put("prompt_tokens", prompt)
                    .put("completion_tokens", completion)
                    .put("total_tokens", prompt + completion));
    return new JsonObject()
        .put("status_code", 200)
        .put("request_id", "req_" + ref)
        .put("body", body);
  }
}
