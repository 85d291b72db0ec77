package dev.sluice.http;

/** Where the HTTP server listens and how much one request may carry. */
public record HttpSettings(
    String host, int port, int maxItems, long maxBodyBytes, int maxPromptChars) {}
