package dev.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A blocking HTTP/1.1 client for one Sluice, as an API user would call it (keep-alive connections).
 * It is the JDK's {@link HttpURLConnection}, which reads and writes on the calling thread: a timed
 * request then costs the client one thread, not the hand-offs between the caller, a selector thread
 * and an executor that {@code java.net.http.HttpClient} makes, which on two busy cores added
 * milliseconds of the client's own to every latency the benchmark measured (docs/benchmarks.md).
 */
public final class Http {

  /** One answer: status and body. */
  public record Reply(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  static {
    // Up to 64 idle keep-alive connections to Sluice (the JDK keeps 5), for the benchmarks that
    // call from several threads; and a POST is never sent twice on its own.
    System.setProperty("http.maxConnections", "64");
    System.setProperty("sun.net.http.retryPost", "false");
  }

  private final String base;

  Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public Reply get(String path) {
    return unchecked(() -> send(path, null, 60_000));
  }

  public Reply post(String path, String body) {
    return unchecked(() -> send(path, body, 60_000));
  }

  /**
   * A GET that answers empty while nothing listens yet (connection refused), for start-up probes.
   */
  public Optional<Reply> probe(String path) {
    try {
      return Optional.of(send(path, null, 5_000));
    } catch (IOException e) {
      return Optional.empty();
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

  /** One request; {@code body} null is a GET, anything else a JSON POST. */
  private Reply send(String path, String body, int timeoutMs) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
    c.setConnectTimeout(2_000);
    c.setReadTimeout(timeoutMs);
    c.setUseCaches(false);
    if (body != null) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      c.setRequestMethod("POST");
      c.setRequestProperty("Content-Type", "application/json");
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(bytes.length);
      try (OutputStream out = c.getOutputStream()) {
        out.write(bytes);
      }
    }
    int status = c.getResponseCode();
    // Reading the whole body (error bodies too) leaves the connection to be kept alive.
    InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    String text = "";
    if (in != null) {
      try (InputStream stream = in) {
        text = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    return new Reply(status, text);
  }

  /** A request whose I/O failure stops the benchmark. */
  private static Reply unchecked(Request request) {
    try {
      return request.send();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Request {
    Reply send() throws IOException;
  }
}
