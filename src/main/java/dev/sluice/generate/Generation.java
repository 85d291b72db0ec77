package dev.sluice.generate;

/**
 * What a generator produced for one item, with the tokens it used and, when the provider said so,
 * how long it worked on the request ({@code providerMillis}, 0 when unknown).
 */
public record Generation(
    String text, String finishReason, int promptTokens, int completionTokens, long providerMillis) {

  /** A generation whose provider did not say how long it worked on it. */
  public Generation(String text, String finishReason, int promptTokens, int completionTokens) {
    this(text, finishReason, promptTokens, completionTokens, 0);
  }
}
