package dev.sluice.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request body that must be one JSON object, strictly ({@link StrictJson}), or answers 400
 * saying why not (422 naming the field for text that cannot be stored).
 */
public final class JsonBody {

  private JsonBody() {}

  /** The body as an object; null when the body is empty. */
  public static @Nullable JsonObject optional(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return null;
    }
    return StrictJson.object(raw);
  }
}
