package dev.sluice.api.v1;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * An error answered in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}},
 * with its HTTP status; failing a {@code /v1} request with it is how the OpenAI face reports bad
 * input. It carries no stack trace.
 */
final class OpenAiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final String INVALID_REQUEST = "invalid_request_error";

  private final int status;
  private final String type;
  private final @Nullable String param;
  private final @Nullable String code;

  OpenAiError(
      int status, String type, String message, @Nullable String param, @Nullable String code) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  static OpenAiError badRequest(String message, @Nullable String param) {
    return new OpenAiError(400, INVALID_REQUEST, message, param, null);
  }

  static OpenAiError notFound(String message) {
    return new OpenAiError(404, INVALID_REQUEST, message, null, "not_found");
  }

  int status() {
    return status;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put(
            "error",
            new JsonObject()
                .put("message", getMessage())
                .put("type", type)
                .put("param", param)
                .put("code", code));
  }
}
