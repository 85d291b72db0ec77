package dev.sluice.http;

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

  /** The most a body read into memory whole may hold; bodies read as they arrive may hold more. */
  static final long BUFFERED_BODY_BYTES = 1 << 20;

  /**
   * The size limit of a body that is read whole into memory before its route sees it (a control's
   * reason, a key, a {@code /v1/batches} request): {@code limits.max-body-bytes}, but at most 1
   * MiB, since no such body needs more and each one is held in the heap. The create route and file
   * uploads, which read their bodies as they arrive, have the whole {@link #maxBodyBytes}.
   */
  public long bufferedBodyBytes() {
    return Math.min(maxBodyBytes, BUFFERED_BODY_BYTES);
  }

  /**
   * How many server instances share the port: {@code instances}, or when 0 one per event loop of
   * the node ({@code eventLoops}).
   */
  public int serverInstances(int eventLoops) {
    return instances > 0 ? instances : eventLoops;
  }
}
