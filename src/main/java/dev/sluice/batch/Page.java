package dev.sluice.batch;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** One page of a listing and the cursor of the next page, absent on the last one. */
public record Page<T>(List<T> data, @Nullable String nextCursor) {
  public Page {
    data = List.copyOf(data);
  }
}
