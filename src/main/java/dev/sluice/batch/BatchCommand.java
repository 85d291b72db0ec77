package dev.sluice.batch;

import org.jspecify.annotations.Nullable;

/** A request to change a batch's state, with who asked and why. */
public sealed interface BatchCommand {

  /** Who asked: a user name, or {@code system} for Sluice itself. */
  String actor();

  /** Why, in the asker's words; may be absent. */
  @Nullable String reason();

  /** The wire name of the command, as in the route ({@code pause}, {@code retry-failed}). */
  String wire();

  /** Stop dispatching new items; items in flight finish. */
  record Pause(String actor, @Nullable String reason) implements BatchCommand {
    @Override
    public String wire() {
      return "pause";
    }
  }

  /** Dispatch again from where the batch stopped. */
  record Resume(String actor, @Nullable String reason) implements BatchCommand {
    @Override
    public String wire() {
      return "resume";
    }
  }

  /** Cancel every pending item; items in flight finish and are kept. */
  record Cancel(String actor, @Nullable String reason) implements BatchCommand {
    @Override
    public String wire() {
      return "cancel";
    }
  }

  /** Put every failed item back to pending and run the batch again. */
  record RetryFailed(String actor, @Nullable String reason) implements BatchCommand {
    @Override
    public String wire() {
      return "retry-failed";
    }
  }

  /** A fault that retrying items cannot fix (bad credentials, unknown model) ends the batch. */
  record Fail(String actor, @Nullable String reason) implements BatchCommand {
    @Override
    public String wire() {
      return "fail";
    }
  }

  /**
   * The batch's deadline passed: pending items are dropped; items in flight finish and are kept.
   */
  record Expire(String actor, @Nullable String reason) implements BatchCommand {
    @Override
    public String wire() {
      return "expire";
    }
  }

  /** The commands a user may send over HTTP, by wire name. */
  static @Nullable BatchCommand ofWire(String wire, String actor, @Nullable String reason) {
    return switch (wire) {
      case "pause" -> new Pause(actor, reason);
      case "resume" -> new Resume(actor, reason);
      case "cancel" -> new Cancel(actor, reason);
      case "retry-failed" -> new RetryFailed(actor, reason);
      default -> null;
    };
  }
}
