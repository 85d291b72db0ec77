package dev.sluice.generate;

/** What a generator produced for one item, with the tokens it used. */
public record Generation(
    String text, String finishReason, int promptTokens, int completionTokens) {}
