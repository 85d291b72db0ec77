package dev.sluice.batch;

/** Tokens sent to and received from a provider. */
public record TokenUsage(long promptTokens, long completionTokens) {

  public static final TokenUsage NONE = new TokenUsage(0, 0);

  public long total() {
    return promptTokens + completionTokens;
  }

  public TokenUsage plus(long prompt, long completion) {
    return new TokenUsage(promptTokens + prompt, completionTokens + completion);
  }
}
