package dev.sluice.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.jspecify.annotations.Nullable;

/** Reads a request body that must be one JSON object, or answers 400 saying why not. */
public final class JsonBody {

  private JsonBody() {}

  /** The body as an object; null when the body is empty. */
  public static @Nullable JsonObject optional(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return null;
    }
    Object value;
    try {
      value = Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw Problem.badRequest("The request body is not valid JSON.");
    }
    if (!(value instanceof JsonObject object)) {
      throw Problem.badRequest(
          "The request body is not valid JSON for this route: it must be a JSON object.");
    }
    return object;
  }
}
