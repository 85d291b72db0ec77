package dev.sluice.generate;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A generation that did not produce text, classified by what helps: trying the item again, nothing
 * (the item itself is at fault), or nothing for the whole batch (credentials, model). Stackless:
 * these are expected outcomes, not bugs.
 */
public final class GenerationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What a failure means for the item and its batch. */
  public enum Kind {
    RETRYABLE,
    ITEM,
    BATCH
  }

  private final Kind kind;
  private final @Nullable Duration retryAfter;
  private final boolean rateLimited;

  public GenerationException(Kind kind, String message, @Nullable Duration retryAfter) {
    this(kind, message, retryAfter, false);
  }

  /** A failure; {@code rateLimited} when the provider said so (429), which lowers its limits. */
  public GenerationException(
      Kind kind, String message, @Nullable Duration retryAfter, boolean rateLimited) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
    this.rateLimited = rateLimited;
  }

  public boolean rateLimited() {
    return rateLimited;
  }

  public Kind kind() {
    return kind;
  }

  public @Nullable Duration retryAfter() {
    return retryAfter;
  }

  public String code() {
    return switch (kind) {
      case RETRYABLE -> "retryable";
      case ITEM -> "item_error";
      case BATCH -> "batch_error";
    };
  }
}
