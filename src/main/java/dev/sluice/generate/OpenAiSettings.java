package dev.sluice.generate;

import java.time.Duration;

/**
 * Where an OpenAI-compatible chat-completions server is, the key to send (empty: none), the model
 * of batches that name none, and how long one request may take.
 */
public record OpenAiSettings(String baseUrl, String apiKey, String model, Duration timeout) {

  /** Never prints the key. */
  @Override
  public String toString() {
    return "OpenAiSettings[baseUrl=" + baseUrl + ", model=" + model + ", timeout=" + timeout + "]";
  }
}
