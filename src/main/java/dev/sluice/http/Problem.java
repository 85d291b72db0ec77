package dev.sluice.http;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem: a stable type, a title, the HTTP status, one sentence of detail, and extra
 * members such as {@code batchId}, {@code batchStatus} or {@code errors}. Failing a request with it
 * is how every route reports bad input; it carries no stack trace.
 */
public final class Problem extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final String TYPE_BASE = "https://sluice.dev/problems/";

  private final int status;
  private final String type;
  private final String title;
  private final JsonObject extras;
  private final String detail;

  public Problem(int status, String type, String title, String detail) {
    this(status, type, title, detail, new JsonObject());
  }

  public Problem(int status, String type, String title, String detail, JsonObject extras) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.extras = extras.copy();
    this.detail = detail;
  }

  public static Problem badRequest(String detail) {
    return new Problem(400, "bad-request", "Bad request", detail);
  }

  public static Problem notFound(String detail) {
    return new Problem(404, "not-found", "Not found", detail);
  }

  public static Problem tooLarge(String detail) {
    return new Problem(413, "too-large", "Request too large", detail);
  }

  /** A field of the request is invalid; the detail names the field. */
  public static Problem invalid(String field, String detail) {
    JsonObject error = new JsonObject().put("field", field).put("detail", detail);
    return new Problem(
        422,
        "invalid-request",
        "Invalid request",
        field + ": " + detail,
        new JsonObject()
            .put("field", field)
            .put("errors", new io.vertx.core.json.JsonArray().add(error)));
  }

  public String detail() {
    return detail;
  }

  public int status() {
    return status;
  }

  /** The stable type, without its URI base: {@code not-found}, {@code invalid-request}, … */
  public String type() {
    return type;
  }

  /** An extra member such as {@code field}, or null. */
  public @Nullable Object extra(String key) {
    return extras.getValue(key);
  }

  public Problem with(String key, Object value) {
    JsonObject more = extras.copy().put(key, value);
    return new Problem(status, type, title, detail, more);
  }

  /** The body, as {@code application/problem+json}; no {@code instance} when it is null. */
  public JsonObject toJson(@Nullable String instance) {
    JsonObject json =
        new JsonObject()
            .put("type", TYPE_BASE + type)
            .put("title", title)
            .put("status", status)
            .put("detail", detail);
    if (instance != null) {
      json.put("instance", instance);
    }
    return json.mergeIn(extras);
  }
}
