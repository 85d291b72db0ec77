package dev.sluice.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What {@link WarmUpCommand} does with the Sluice it starts: the requests an operator's users send
 * on a normal day, through the HTTP API, so that the classes of those paths are loaded. Two starts
 * on the same database: the second recovers a batch the first left paused. Every step checks its
 * answer; a wrong one ends the warm-up with an {@link IllegalStateException} that says which.
 */
final class WarmUpSession {

  private static final int ITEMS = 60;
  private static final long WAIT_MS = 60_000;

  private final PrintStream out;
  private String base = "";
  private String management = "";
  private String token = "";

  WarmUpSession(PrintStream out) {
    this.out = out;
  }

  void run(Supplier<Sluice> starter, Map<String, String> env) throws IOException {
    token = env.getOrDefault("SLUICE_ADMIN_KEY", "");
    String left;
    // The first start stops as on SIGTERM (handing its batches over); the second closes.
    Sluice first = starter.get();
    try {
      at(first);
      firstStart();
      left = create("left paused", ITEMS);
      post("/api/generation/batch/" + left + "/pause", "{\"reason\": \"warm-up\"}", 200);
      out.println("sluice warm-up: first start done, restarting");
    } finally {
      first.shutdown();
    }
    try (Sluice second = starter.get()) {
      at(second);
      get("/health/ready", 200);
      post("/api/generation/batch/" + left + "/resume", "{}", 200);
      awaitEnd(left);
    }
  }

  private void at(Sluice sluice) {
    base = "http://127.0.0.1:" + sluice.port();
    management = "http://127.0.0.1:" + sluice.managementPort();
  }

  private void firstStart() throws IOException {
    get("/health/ready", 200);
    get("/", 200);
    get("/openapi.yaml", 200);
    String a = create("controls", ITEMS);
    post("/api/generation/batch/" + a + "/pause", "{\"reason\": \"warm-up\"}", 200);
    post("/api/generation/batch/" + a + "/resume", "{}", 200);
    firstEvent("/api/generation/batch/" + a + "/stream");
    String b = create("cancelled", ITEMS);
    post("/api/generation/batch/" + b + "/cancel", "{}", 200);
    if (awaitEnd(a).getJsonObject("counts", new JsonObject()).getInteger("failed", 0) > 0) {
      post("/api/generation/batch/" + a + "/retry-failed", "{}", 200);
      awaitEnd(a);
    }
    get("/api/generation/batch/" + a + "/items?status=succeeded&limit=10", 200);
    get("/api/generation/batch/" + a + "/events", 200);
    get("/api/generation/batch/" + a + "/results", 200);
    get("/api/generation/batch?limit=20", 200);
    post("/api/generation/batch", "{\"items\": []}", 422);
    openAiBatch();
    call("GET", management + "/metrics", null, null, 200);
  }

  /** The OpenAI Batch API: a file upload, a batch made from it, its output file. */
  private void openAiBatch() throws IOException {
    String fileId = new JsonObject(uploadInputFile()).getString("id");
    JsonObject batch =
        new JsonObject(
            post(
                "/v1/batches",
                new JsonObject()
                    .put("input_file_id", fileId)
                    .put("endpoint", "/v1/chat/completions")
                    .put("completion_window", "24h")
                    .encode(),
                200));
    String id = batch.getString("id");
    long until = System.currentTimeMillis() + WAIT_MS;
    while (batch.getString("output_file_id") == null
        || !"completed".equals(batch.getString("status"))) {
      pauseBriefly(until, "the OpenAI batch " + id);
      batch = new JsonObject(get("/v1/batches/" + id, 200));
    }
    get("/v1/files/" + batch.getString("output_file_id") + "/content", 200);
  }

  /** Uploads a batch input file of 20 chat requests to {@code /v1/files}; returns the file. */
  private String uploadInputFile() throws IOException {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      JsonArray messages =
          new JsonArray().add(new JsonObject().put("role", "user").put("content", "Q" + i));
      lines
          .append(
              new JsonObject()
                  .put("custom_id", "r" + i)
                  .put("method", "POST")
                  .put("url", "/v1/chat/completions")
                  .put("body", new JsonObject().put("model", "warm-up").put("messages", messages))
                  .encode())
          .append('\n');
    }
    String boundary = "sluice-warm-up-boundary";
    String form =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
            + "Content-Type: application/jsonl\r\n\r\n"
            + lines
            + "\r\n--"
            + boundary
            + "--\r\n";
    return call("POST", base + "/v1/files", form, "multipart/form-data; boundary=" + boundary, 200);
  }

  private String create(String name, int items) throws IOException {
    JsonArray list = new JsonArray();
    for (int i = 0; i < items; i++) {
      list.add(new JsonObject().put("id", "q" + i).put("vars", new JsonObject().put("n", i)));
    }
    JsonObject body =
        new JsonObject()
            .put("name", name)
            .put("concurrency", 4)
            .put("maxAttempts", 1)
            .put("template", "Write exam question {{n}}.")
            .put("items", list);
    return new JsonObject(post("/api/generation/batch", body.encode(), 201)).getString("id");
  }

  /** Waits until the batch has ended and returns it. */
  private JsonObject awaitEnd(String id) throws IOException {
    long until = System.currentTimeMillis() + WAIT_MS;
    while (true) {
      JsonObject batch = new JsonObject(get("/api/generation/batch/" + id, 200));
      String status = batch.getString("status");
      if (!"running".equals(status) && !"paused".equals(status)) {
        return batch;
      }
      pauseBriefly(until, "batch " + id);
    }
  }

  private static void pauseBriefly(long until, String what) {
    if (System.currentTimeMillis() > until) {
      throw new IllegalStateException(what + " did not end within " + WAIT_MS + " ms");
    }
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Opens the live stream and reads until its first event. */
  private void firstEvent(String path) throws IOException {
    HttpURLConnection c = open("GET", base + path);
    try (InputStream in = c.getInputStream()) {
      int b;
      int last = -1;
      while ((b = in.read()) >= 0 && !(b == '\n' && last == '\n')) {
        last = b;
      }
    } finally {
      c.disconnect();
    }
  }

  private String get(String path, int expected) throws IOException {
    return call("GET", base + path, null, null, expected);
  }

  private String post(String path, String json, int expected) throws IOException {
    return call("POST", base + path, json, "application/json", expected);
  }

  private String call(
      String method, String url, @Nullable String body, @Nullable String contentType, int expected)
      throws IOException {
    HttpURLConnection c = open(method, url);
    try {
      if (body != null) {
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", String.valueOf(contentType));
        try (OutputStream o = c.getOutputStream()) {
          o.write(body.getBytes(StandardCharsets.UTF_8));
        }
      }
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (status != expected) {
        throw new IllegalStateException(
            method + " " + url + " answered " + status + ", not " + expected + ": " + answer);
      }
      return answer;
    } finally {
      c.disconnect();
    }
  }

  private HttpURLConnection open(String method, String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setRequestMethod(method);
    c.setConnectTimeout(5_000);
    c.setReadTimeout(30_000);
    c.setRequestProperty("Authorization", "Bearer " + token);
    return c;
  }
}
