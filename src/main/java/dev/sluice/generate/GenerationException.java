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
  private final @Nullable String code;

  public GenerationException(Kind kind, String message, @Nullable Duration retryAfter) {
    this(kind, message, retryAfter, false);
  }

  /** A failure with a code of its own, more precise than its kind's. */
  public static GenerationException coded(Kind kind, String code, String message) {
    return new GenerationException(kind, message, null, false, code);
  }

  /** A failure; {@code rateLimited} when the provider said so (429), which lowers its limits. */
  public GenerationException(
      Kind kind, String message, @Nullable Duration retryAfter, boolean rateLimited) {
    this(kind, message, retryAfter, rateLimited, null);
  }

  private GenerationException(
      Kind kind,
      String message,
      @Nullable Duration retryAfter,
      boolean rateLimited,
      @Nullable String code) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
    this.rateLimited = rateLimited;
    this.code = code;
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

  /** The error code stored with the item: the failure's own, else its kind's. */
  public String code() {
    if (code != null) {
      return code;
    }
    return switch (kind) {
      case RETRYABLE -> "retryable";
      case ITEM -> "item_error";
      case BATCH -> "batch_error";
    };
  }
}
