package dev.sluice.batch;

/** How many items of a batch are in each item state; the parts always add up to {@code total}. */
public record Counts(
    int total, int pending, int inProgress, int succeeded, int failed, int cancelled) {

  public Counts {
    if (pending < 0 || inProgress < 0 || succeeded < 0 || failed < 0 || cancelled < 0) {
      throw new IllegalArgumentException("negative count in " + describe(pending, inProgress));
    }
    if (pending + inProgress + succeeded + failed + cancelled != total) {
      throw new IllegalArgumentException("counts do not add up to total " + total);
    }
  }

  private static String describe(int pending, int inProgress) {
    return "pending=" + pending + " inProgress=" + inProgress;
  }

  public static Counts allPending(int total) {
    return new Counts(total, total, 0, 0, 0, 0);
  }

  /** Moves {@code n} items from one state to another. */
  public Counts move(ItemStatus from, ItemStatus to, int n) {
    return with(from, of(from) - n).with(to, of(to) + n);
  }

  private Counts with(ItemStatus status, int value) {
    int delta = value - of(status);
    int t = total + delta;
    return switch (status) {
      case PENDING -> new Counts(t, value, inProgress, succeeded, failed, cancelled);
      case IN_PROGRESS -> new Counts(t, pending, value, succeeded, failed, cancelled);
      case SUCCEEDED -> new Counts(t, pending, inProgress, value, failed, cancelled);
      case FAILED -> new Counts(t, pending, inProgress, succeeded, value, cancelled);
      case CANCELLED -> new Counts(t, pending, inProgress, succeeded, failed, value);
    };
  }

  public int of(ItemStatus status) {
    return switch (status) {
      case PENDING -> pending;
      case IN_PROGRESS -> inProgress;
      case SUCCEEDED -> succeeded;
      case FAILED -> failed;
      case CANCELLED -> cancelled;
    };
  }

  /** Whether no item is waiting or running. */
  public boolean settled() {
    return pending == 0 && inProgress == 0;
  }
}
