package dev.sluice.http;

import java.time.Duration;

/**
 * Where the HTTP server listens, how much one request may carry, and how long a connection may be
 * idle, a request head take to arrive, and a request body take to arrive.
 */
public record HttpSettings(
    String host,
    int port,
    int maxItems,
    long maxBodyBytes,
    int maxPromptChars,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout) {}
