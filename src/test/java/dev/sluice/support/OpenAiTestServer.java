package dev.sluice.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on a loopback port that speaks the OpenAI chat-completions API, scripted by
 * markers in the user prompt: {@code [fail 503x2]} answers 503 to the first two calls for that
 * prompt, then 200; {@code [always 400]} always answers 400; {@code [retry-after 1]} adds a
 * Retry-After header (seconds) to failures; {@code [hang x1]} leaves the first call unanswered;
 * {@code [malformed x1]} answers the first call with broken JSON; {@code [json]} makes the answer's
 * text a JSON object {question, answer} and {@code [badjson x1]} makes the first one the wrong
 * shape. Every call is recorded. {@link #forceStatus} fails every chat completion for a while;
 * {@link #modelList} makes {@code GET /models} answer a status of its own (501 Not Implemented, as
 * a proxy that serves only chat completions would).
 */
public final class OpenAiTestServer implements AutoCloseable {

  private static final Pattern FAIL = Pattern.compile("\\[fail (\\d{3})x(\\d+)]");
  private static final Pattern ALWAYS = Pattern.compile("\\[always (\\d{3})]");
  private static final Pattern RETRY_AFTER = Pattern.compile("\\[retry-after (\\d+)]");
  private static final Pattern HANG = Pattern.compile("\\[hang x(\\d+)]");
  private static final Pattern BAD_JSON = Pattern.compile("\\[badjson x(\\d+)]");
  private static final Pattern MALFORMED = Pattern.compile("\\[malformed x(\\d+)]");

  /** One call as the server saw it. */
  public record Call(
      String prompt,
      JsonObject body,
      Map<String, String> headers,
      long nanos,
      int status,
      String path) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> perPrompt = new ConcurrentHashMap<>();
  private volatile int latencyMs;
  private volatile int forcedStatus;
  private volatile int modelListStatus;
  private final AtomicInteger probes = new AtomicInteger();

  public OpenAiTestServer() {
    server = block(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public OpenAiTestServer latency(int millis) {
    this.latencyMs = millis;
    return this;
  }

  /** Answers every call with this status (0 = script as usual). */
  public OpenAiTestServer forceStatus(int status) {
    this.forcedStatus = status;
    return this;
  }

  /** Answers {@code GET /models} with this status (0 = as {@link #forceStatus} says). */
  public OpenAiTestServer modelList(int status) {
    this.modelListStatus = status;
    return this;
  }

  /** How many times the model list was asked for. */
  public int probes() {
    return probes.get();
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public List<Call> callsFor(String promptPart) {
    return calls.stream().filter(c -> c.prompt().contains(promptPart)).toList();
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals("/v1/models")) {
      int status = modelListStatus != 0 ? modelListStatus : forcedStatus == 0 ? 200 : forcedStatus;
      probes.incrementAndGet();
      request
          .response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(
              status == 200
                  ? "{\"object\":\"list\",\"data\":[]}"
                  : error("Scripted failure " + status));
      return;
    }
    // A base URL may carry a prefix of its own (http://host:port/<name>/v1), so a test can tell
    // apart the Sluice processes that share this server.
    if (!request.path().endsWith("/v1/chat/completions")) {
      request.response().setStatusCode(404).end(error("Unknown route " + request.path()));
      return;
    }
    request
        .body()
        .onSuccess(
            buffer -> {
              JsonObject body = buffer.toJsonObject();
              JsonArray messages = body.getJsonArray("messages");
              String prompt = messages.getJsonObject(messages.size() - 1).getString("content");
              int n = perPrompt.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
              Map<String, String> headers = new ConcurrentHashMap<>();
              request
                  .headers()
                  .forEach(
                      h ->
                          headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
              int status = statusFor(prompt, n);
              calls.add(new Call(prompt, body, headers, System.nanoTime(), status, request.path()));
              if (status == -1) {
                return;
              }
              long arrived = System.nanoTime();
              Runnable answer =
                  () -> {
                    long worked = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - arrived);
                    request.response().putHeader("openai-processing-ms", Long.toString(worked));
                    respond(request, prompt, n, status, body);
                  };
              if (latencyMs > 0) {
                vertx.setTimer(latencyMs, t -> answer.run());
              } else {
                answer.run();
              }
            });
  }

  private int statusFor(String prompt, int n) {
    if (forcedStatus != 0) {
      return forcedStatus;
    }
    Matcher hang = HANG.matcher(prompt);
    if (hang.find() && n <= Integer.parseInt(hang.group(1))) {
      return -1;
    }
    Matcher always = ALWAYS.matcher(prompt);
    if (always.find()) {
      return Integer.parseInt(always.group(1));
    }
    Matcher fail = FAIL.matcher(prompt);
    if (fail.find() && n <= Integer.parseInt(fail.group(2))) {
      return Integer.parseInt(fail.group(1));
    }
    return 200;
  }

  private void respond(
      HttpServerRequest request, String prompt, int n, int status, JsonObject body) {
    var response =
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json");
    if (status != 200) {
      Matcher retry = RETRY_AFTER.matcher(prompt);
      if (retry.find()) {
        response.putHeader("Retry-After", retry.group(1));
      }
      response.end(error("Scripted failure " + status + " for this prompt"));
      return;
    }
    Matcher malformed = MALFORMED.matcher(prompt);
    if (malformed.find() && n <= Integer.parseInt(malformed.group(1))) {
      response.end("{\"choices\": [ {\"message\": ");
      return;
    }
    String text = "Generated by " + body.getString("model") + " for: " + prompt;
    Matcher badJson = BAD_JSON.matcher(prompt);
    if (badJson.find() && n <= Integer.parseInt(badJson.group(1))) {
      text = new JsonObject().put("question", 5).encode();
    } else if (prompt.contains("[json]")) {
      text =
          "```json\n"
              + new JsonObject().put("question", prompt).put("answer", "42").encode()
              + "\n```";
    }
    JsonObject answer =
        new JsonObject()
            .put("id", "chatcmpl-" + n)
            .put("object", "chat.completion")
            .put("model", body.getString("model"))
            .put(
                "choices",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("index", 0)
                            .put(
                                "message",
                                new JsonObject().put("role", "assistant").put("content", text))
                            .put("finish_reason", "stop")))
            .put(
                "usage",
                new JsonObject()
                    .put("prompt_tokens", prompt.length() / 4 + 1)
                    .put("completion_tokens", text.length() / 4 + 1)
                    .put("total_tokens", (prompt.length() + text.length()) / 4 + 2));
    response.end(answer.encode());
  }

  private static String error(String message) {
    return new JsonObject()
        .put("error", new JsonObject().put("message", message).put("type", "invalid_request_error"))
        .encode();
  }

  private static <T> T block(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    block(vertx.close());
  }
}
