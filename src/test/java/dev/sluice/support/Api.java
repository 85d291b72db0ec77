package dev.sluice.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A small blocking client for Sluice's HTTP API, as a test (or a script) would use it. */
public final class Api {

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  public Api(int port) {
    this(port, null);
  }

  private Api(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  /** Where this client sends its requests: {@code http://127.0.0.1:<port>}. */
  public String base() {
    return base;
  }

  /** The same client, sending {@code Authorization: Bearer <token>} with every request. */
  public Api as(String bearer) {
    return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), bearer);
  }

  /** An answer: status, headers and body (parsed as JSON when it is JSON). */
  public record Reply(int status, String contentType, String body, HttpResponse<String> raw) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public Reply get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Reply post(String path, String body) {
    return post(path, body, "application/json");
  }

  public Reply post(String path, String body, String contentType) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  public Reply send(HttpRequest.Builder request) {
    if (token != null) {
      request.setHeader("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r =
          client.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(
          r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates a batch of {@code n} prompt items and returns its id. */
  public String createBatch(String name, int n, int concurrency) {
    return createBatch(batchBody(name, n, concurrency));
  }

  public String createBatch(JsonObject body) {
    Reply r = post("/api/generation/batch", body.encode());
    if (r.status() != 201) {
      throw new IllegalStateException("create failed: " + r.status() + " " + r.body());
    }
    return r.json().getString("id");
  }

  public static JsonObject batchBody(String name, int n, int concurrency) {
    JsonArray items = new JsonArray();
    for (int i = 1; i <= n; i++) {
      items.add(
          new JsonObject()
              .put("id", "q" + i)
              .put("prompt", "Write exam question " + i + " about cell biology."));
    }
    return new JsonObject().put("name", name).put("concurrency", concurrency).put("items", items);
  }

  public JsonObject batch(String id) {
    Reply r = get("/api/generation/batch/" + id);
    if (r.status() != 200) {
      throw new IllegalStateException("get failed: " + r.status() + " " + r.body());
    }
    return r.json();
  }

  public String status(String id) {
    return batch(id).getString("status");
  }

  public JsonObject counts(String id) {
    return batch(id).getJsonObject("counts");
  }

  public Reply control(String id, String command) {
    return post("/api/generation/batch/" + id + "/" + command, "");
  }

  public Reply delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  /** Every item of a batch, following the cursor. */
  public List<JsonObject> items(String id) {
    List<JsonObject> all = new ArrayList<>();
    String cursor = null;
    do {
      Reply r =
          get(
              "/api/generation/batch/"
                  + id
                  + "/items?limit=500"
                  + (cursor == null ? "" : "&cursor=" + cursor));
      JsonObject page = r.json();
      page.getJsonArray("data").forEach(o -> all.add((JsonObject) o));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return all;
  }
}
