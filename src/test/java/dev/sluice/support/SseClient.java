package dev.sluice.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A client of one server-sent event stream: a thread parses the stream into events as they arrive
 * and the test takes them in order.
 */
public final class SseClient implements AutoCloseable {

  /** One event: its id (null when it has none), type, data, and when it arrived (nanoTime). */
  public record Event(@Nullable String id, String event, String data, long nanos) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final HttpResponse<Stream<String>> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Thread reader;

  private SseClient(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects; {@code lastEventId} is sent as {@code Last-Event-ID} when not null. */
  public static SseClient connect(int port, String path, @Nullable String lastEventId) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    try {
      return new SseClient(
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofLines()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<Stream<String>> response() {
    return response;
  }

  /** The next event, waiting up to the timeout; fails when none arrives. */
  public Event next(Duration timeout) {
    try {
      Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        throw new AssertionError("no event within " + timeout);
      }
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next event of this type, skipping others. */
  public Event next(String type, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      Event e = next(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
      if (e.event().equals(type)) {
        return e;
      }
    }
  }

  private void read() {
    String id = null;
    String type = "message";
    StringBuilder data = new StringBuilder();
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(id, type, data.substring(1), System.nanoTime()));
          }
          id = null;
          type = "message";
          data.setLength(0);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append('\n').append(line.substring(6));
        }
      }
    } catch (UncheckedIOException e) {
      // the stream was closed
    }
  }

  @Override
  public void close() {
    response.body().close();
    reader.interrupt();
  }
}
