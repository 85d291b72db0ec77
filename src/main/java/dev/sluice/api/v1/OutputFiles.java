package dev.sluice.api.v1;

import dev.sluice.api.BatchResults;
import dev.sluice.api.v1.OpenAiIds.Kind;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.Batches;
import dev.sluice.batch.ItemRecord;
import dev.sluice.batch.ItemStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * A batch's output file (the items that succeeded) and error file (those that failed), in OpenAI's
 * output line format. They are made from the batch's items when read, not stored twice: a finished
 * batch's items no longer change, so every read gives the same bytes.
 */
final class OutputFiles {

  private static final int PAGE = 500;

  private final Batches batches;

  OutputFiles(Batches batches) {
    this.batches = batches;
  }

  /** Writes the file's lines, a page at a time, to {@code sink}. */
  Future<Void> write(BatchRecord batch, Kind kind, Function<Buffer, Future<Void>> sink) {
    ItemStatus wanted = kind == Kind.OUTPUT ? ItemStatus.SUCCEEDED : ItemStatus.FAILED;
    String model = batch.batchConfig().model();
    return Download.walk(
        after -> batches.items(batch.id(), wanted, PAGE, after),
        (after, items) -> items.get(items.size() - 1).seq(),
        items -> sink.apply(lines(batch, model, items)),
        0);
  }

  /** The file's size in bytes, counted by reading it through. */
  Future<Long> bytes(BatchRecord batch, Kind kind) {
    long[] total = {0};
    return write(
            batch,
            kind,
            chunk -> {
              total[0] += chunk.length();
              return Future.succeededFuture();
            })
        .map(v -> total[0]);
  }

  private static Buffer lines(BatchRecord batch, String model, List<ItemRecord> items) {
    StringBuilder text = new StringBuilder();
    items.forEach(item -> text.append(BatchResults.line(batch.id(), model, item)));
    return Buffer.buffer(text.toString().getBytes(StandardCharsets.UTF_8));
  }
}
