package dev.sluice.batch;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A checked request to create a batch, ready to be stored; {@code requestHash} tells a replay of an
 * idempotent request from another request, and may be null when no idempotency key was sent.
 */
public record NewBatch(
    UUID id,
    String owner,
    String name,
    BatchConfig config,
    List<NewItem> items,
    @Nullable String idempotencyKey,
    @Nullable String requestHash) {

  public NewBatch {
    items = List.copyOf(items);
  }

  /** One item of a new batch: the caller's id and its input ({@code prompt} or {@code vars}). */
  public record NewItem(String id, io.vertx.core.json.JsonObject input) {}
}
