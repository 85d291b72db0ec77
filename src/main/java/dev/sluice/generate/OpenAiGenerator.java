package dev.sluice.generate;

import dev.sluice.generate.GenerationException.Kind;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Generates through any OpenAI-compatible {@code /chat/completions} endpoint (OpenAI, vLLM, Ollama,
 * the llama.cpp server). Failures are classified by what helps: 429, 408, 5xx, timeouts and broken
 * connections or answers are retryable (with the server's {@code Retry-After}); 401, 403 and 404
 * are faults of the whole batch (key or model); other 4xx fail the item with the provider's
 * message.
 */
public final class OpenAiGenerator implements Generator {

  private static final Set<String> RESERVED = Set.of("model", "messages", "stream", "n");
  private static final int MAX_MESSAGE = 500;

  private final WebClient client;
  private final OpenAiSettings settings;
  private final String endpoint;

  public OpenAiGenerator(Vertx vertx, OpenAiSettings settings, int maxConnections) {
    this.settings = settings;
    this.endpoint = settings.baseUrl() + "/chat/completions";
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setUserAgent("Sluice")
                .setKeepAlive(true)
                .setDecompressionSupported(true),
            new PoolOptions().setHttp1MaxSize(maxConnections));
  }

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    HttpRequest<Buffer> http =
        client
            .postAbs(endpoint)
            .timeout(settings.timeout().toMillis())
            .putHeader("Idempotency-Key", request.idempotencyKey());
    if (!settings.apiKey().isEmpty()) {
      http.putHeader("Authorization", "Bearer " + settings.apiKey());
    }
    return http.sendJsonObject(body(request)).transform(this::classify);
  }

  /** The chat-completions request: system and user messages, then the batch's parameters. */
  static JsonObject body(GenerationRequest request) {
    JsonArray messages = new JsonArray();
    boolean hasSystem = request.messages().stream().anyMatch(m -> "system".equals(m.get("role")));
    if (request.system() != null && !hasSystem) {
      messages.add(new JsonObject().put("role", "system").put("content", request.system()));
    }
    if (request.messages().isEmpty()) {
      messages.add(new JsonObject().put("role", "user").put("content", request.prompt()));
    } else {
      request.messages().forEach(m -> messages.add(new JsonObject(new java.util.HashMap<>(m))));
    }
    JsonObject body = new JsonObject().put("model", request.model()).put("messages", messages);
    request
        .params()
        .forEach(
            (k, v) -> {
              if (!RESERVED.contains(k)) {
                body.put(k, v);
              }
            });
    return body;
  }

  private Future<Generation> classify(AsyncResult<HttpResponse<Buffer>> ar) {
    if (ar.failed()) {
      return fail(
          Kind.RETRYABLE, "The provider could not be reached: " + ar.cause().getMessage(), null);
    }
    HttpResponse<Buffer> response = ar.result();
    int status = response.statusCode();
    if (status == 200) {
      return answer(response);
    }
    String message = providerMessage(response);
    Duration retryAfter = retryAfter(response);
    if (status == 429) {
      return Future.failedFuture(
          new GenerationException(
              Kind.RETRYABLE, "The provider is rate limiting (429): " + message, retryAfter, true));
    }
    if (status == 408 || status == 409 || status >= 500) {
      return fail(Kind.RETRYABLE, "The provider answered " + status + ": " + message, retryAfter);
    }
    if (status == 401 || status == 403) {
      return fail(
          Kind.BATCH, "The provider rejected the API key (" + status + "): " + message, null);
    }
    if (status == 404) {
      return fail(
          Kind.BATCH, "The provider does not know this model or route (404): " + message, null);
    }
    return fail(Kind.ITEM, "The provider refused this item (" + status + "): " + message, null);
  }

  private static Future<Generation> answer(HttpResponse<Buffer> response) {
    JsonObject json;
    try {
      json = response.bodyAsJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return fail(Kind.RETRYABLE, "The provider's answer was not valid JSON.", null);
    }
    JsonArray choices = json == null ? null : json.getJsonArray("choices");
    if (choices == null || choices.isEmpty()) {
      return fail(Kind.RETRYABLE, "The provider's answer had no choices.", null);
    }
    JsonObject choice = choices.getJsonObject(0);
    JsonObject message = choice.getJsonObject("message", new JsonObject());
    String text = message.getString("content");
    if (text == null) {
      return fail(Kind.ITEM, "The provider's answer had no text.", null);
    }
    JsonObject usage = json.getJsonObject("usage", new JsonObject());
    return Future.succeededFuture(
        new Generation(
            text,
            choice.getString("finish_reason", "stop"),
            usage.getInteger("prompt_tokens", 0),
            usage.getInteger("completion_tokens", 0),
            processingMillis(response)));
  }

  /** OpenAI's {@code openai-processing-ms}: how long the provider worked on the request. */
  private static long processingMillis(HttpResponse<Buffer> response) {
    String value = response.getHeader("openai-processing-ms");
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Math.round(Double.parseDouble(value.trim())));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String providerMessage(HttpResponse<Buffer> response) {
    Buffer body = response.body();
    if (body == null || body.length() == 0) {
      return "no details given";
    }
    String text = body.toString();
    try {
      JsonObject json = new JsonObject(body);
      Object error = json.getValue("error");
      if (error instanceof JsonObject e && e.getString("message") != null) {
        text = e.getString("message");
      } else if (error instanceof String s) {
        text = s;
      }
    } catch (DecodeException | ClassCastException e) {
      // not JSON: keep the text
    }
    return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "…" : text;
  }

  /** {@code retry-after-ms}, else {@code Retry-After} in seconds or as an HTTP date. */
  static @Nullable Duration retryAfter(HttpResponse<Buffer> response) {
    String millis = response.getHeader("retry-after-ms");
    if (millis != null) {
      try {
        return Duration.ofMillis(Math.max(0, Math.round(Double.parseDouble(millis.trim()))));
      } catch (NumberFormatException e) {
        // fall through to Retry-After
      }
    }
    String value = response.getHeader("Retry-After");
    if (value == null) {
      return null;
    }
    try {
      return Duration.ofMillis(Math.max(0, Math.round(Double.parseDouble(value.trim()) * 1000)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static Future<Generation> fail(Kind kind, String message, @Nullable Duration retryAfter) {
    return Future.failedFuture(new GenerationException(kind, message, retryAfter));
  }
}
