package dev.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A blocking HTTP/1.1 client for one Sluice, as an API user would call it (keep-alive connections).
 */
public final class Http {

  /** One answer: status and body. */
  public record Reply(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final String base;

  Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public Reply get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Reply post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /**
   * A GET that answers empty while nothing listens yet (connection refused), for start-up probes.
   */
  public Optional<Reply> probe(String path) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(5))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Reply(r.statusCode(), r.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates a batch and returns its id; anything but 201 stops the benchmark. */
  public String create(String body) {
    Reply r = post("/api/generation/batch", body);
    if (r.status() != 201) {
      throw new IllegalStateException("create answered " + r.status() + ": " + r.body());
    }
    return r.json().getString("id");
  }

  public JsonObject batch(String id) {
    Reply r = get("/api/generation/batch/" + id);
    if (r.status() != 200) {
      throw new IllegalStateException(
          "GET batch " + id + " answered " + r.status() + ": " + r.body());
    }
    return r.json();
  }

  public Reply control(String id, String command) {
    return post("/api/generation/batch/" + id + "/" + command, "");
  }

  private Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r =
          client.send(
              request.timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
