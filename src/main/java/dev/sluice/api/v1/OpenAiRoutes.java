package dev.sluice.api.v1;

import dev.sluice.api.LiveBatchLimit;
import dev.sluice.auth.Principal;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.Batches;
import dev.sluice.http.HttpSettings;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI's Files and Batch APIs under {@code /v1} (README, "Using OpenAI's SDKs"; the contract in
 * openapi.yaml), on the same batches as {@code /api/generation}. Every handler takes its caller
 * from {@link #owner}.
 */
public final class OpenAiRoutes {

  static final String BASE = "/v1";

  private final FileRoutes files;
  private final OpenAiBatchRoutes batches;

  public OpenAiRoutes(
      Batches service, HttpSettings http, BatchSettings batch, LiveBatchLimit liveLimit) {
    OutputFiles outputs = new OutputFiles(service);
    this.files = new FileRoutes(service, http, outputs);
    this.batches = new OpenAiBatchRoutes(service, http, batch, liveLimit);
  }

  /** Mounts the routes; the caller mounts the body handlers and {@link OpenAiErrors} first. */
  public void mount(Router router) {
    files.mount(router);
    batches.mount(router);
  }

  /**
   * Who is asking: the owner whose files the request sees and whose batches it creates — the
   * authenticated principal's (the local owner when authentication is off), as under {@code /api}.
   */
  static String owner(RoutingContext ctx) {
    return Principal.of(ctx).owner();
  }

  /** The only owner whose batches the request may see and steer; null for an admin (any owner). */
  static @Nullable String scope(RoutingContext ctx) {
    return Principal.of(ctx).scope();
  }

  /** Who the request is in a batch's history. */
  static String actor(RoutingContext ctx) {
    return Principal.of(ctx).actor();
  }

  static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json");
    ctx.end(body.encode());
  }

  /** A {@code limit} query parameter from 1 to {@code max}, or {@code fallback} when absent. */
  static int limit(RoutingContext ctx, int fallback, int max) {
    String raw = ctx.request().getParam("limit");
    if (raw == null) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw OpenAiError.badRequest(
        "limit must be a whole number from 1 to " + max + "; got '" + raw + "'.", "limit");
  }

  /** An OpenAI list: {@code data}, the first and last ids, and whether more follow. */
  static JsonObject list(io.vertx.core.json.JsonArray data, boolean more) {
    @Nullable String first = data.isEmpty() ? null : data.getJsonObject(0).getString("id");
    @Nullable String last =
        data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id");
    return new JsonObject()
        .put("object", "list")
        .put("data", data)
        .put("first_id", first)
        .put("last_id", last)
        .put("has_more", more);
  }
}
