package dev.sluice.http;

import io.vertx.core.VertxOptions;
import java.time.Duration;

/**
 * Where the HTTP server listens and on how many event loops, how much one request may carry, and
 * how long a connection may be idle, a request head take to arrive, and a request body take to
 * arrive.
 */
public record HttpSettings(
    String host,
    int port,
    int instances,
    int maxItems,
    long maxBodyBytes,
    int maxPromptChars,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout) {

  /**
   * How many server instances share the port: {@code instances}, or when 0 one per event loop of a
   * default Vert.x instance (twice the CPU cores).
   */
  public int serverInstances() {
    return instances > 0 ? instances : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
  }
}
