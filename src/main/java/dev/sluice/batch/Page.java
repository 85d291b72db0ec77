package dev.sluice.batch;

import java.util.List;

/** One page of a listing, and whether more follow it. */
public record Page<T>(List<T> data, boolean more) {
  public Page {
    data = List.copyOf(data);
  }

  /** The page of the first {@code limit} rows of a read that asked for one more. */
  static <T> Page<T> of(List<T> rows, int limit) {
    return rows.size() > limit ? new Page<>(rows.subList(0, limit), true) : new Page<>(rows, false);
  }
}
