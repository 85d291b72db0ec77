package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The columns Sluice reads of batches, items and history rows, and how a row becomes a record; each
 * column list and the guarded batch update are written here once.
 */
final class BatchRows {

  static final String BATCH_COLUMNS =
      "id, owner, name, status, status_reason, config, total, pending, in_progress, succeeded,"
          + " failed, cancelled, version, epoch, created_at, updated_at, finished_at,"
          + " prompt_tokens, completion_tokens";

  static final String ITEM_COLUMNS =
      "seq, item_id, status, input, output, error, attempts, usage, after_cancel, started_at,"
          + " finished_at";

  /**
   * A runner's write of its batch row: $1–$14 as {@code BatchWrites.batchValues} lists them. It
   * matches no row unless the runner still holds the epoch ($2) and wrote the previous revision
   * ($3).
   */
  static final String GUARDED_UPDATE =
      "UPDATE batches SET status = $4, status_reason = $5, pending = $6, in_progress = $7,"
          + " succeeded = $8, failed = $9, cancelled = $10, version = $11, updated_at = now(),"
          + " finished_at = CASE WHEN $12 THEN COALESCE(finished_at, now()) END,"
          + " prompt_tokens = prompt_tokens + $13, completion_tokens = completion_tokens + $14"
          + " WHERE id = $1 AND epoch = $2 AND version = $3";

  private BatchRows() {}

  static <T> List<T> all(RowSet<Row> rows, Function<Row, T> mapping) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(mapping.apply(r)));
    return out;
  }

  /** The batch columns, each with a table prefix such as {@code b.}. */
  static String prefixed(String prefix) {
    return prefix + BATCH_COLUMNS.replace(", ", ", " + prefix);
  }

  static BatchRecord toBatch(Row r) {
    Counts counts =
        new Counts(
            r.getInteger("total"),
            r.getInteger("pending"),
            r.getInteger("in_progress"),
            r.getInteger("succeeded"),
            r.getInteger("failed"),
            r.getInteger("cancelled"));
    return new BatchRecord(
        r.getUUID("id"),
        r.getString("owner"),
        r.getString("name"),
        BatchStatus.parse(r.getString("status")).orElseThrow(),
        r.getString("status_reason"),
        (JsonObject) r.getValue("config"),
        counts,
        r.getLong("version"),
        r.getLong("epoch"),
        r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("updated_at"),
        r.getOffsetDateTime("finished_at"),
        new TokenUsage(r.getLong("prompt_tokens"), r.getLong("completion_tokens")));
  }

  static ItemRecord toItem(Row r) {
    return new ItemRecord(
        r.getInteger("seq"),
        r.getString("item_id"),
        ItemStatus.parse(r.getString("status")).orElseThrow(),
        (JsonObject) r.getValue("input"),
        r.getString("output"),
        (JsonObject) r.getValue("error"),
        r.getInteger("attempts"),
        (JsonObject) r.getValue("usage"),
        r.getBoolean("after_cancel"),
        r.getOffsetDateTime("started_at"),
        r.getOffsetDateTime("finished_at"));
  }

  static BatchEvent toEvent(Row r) {
    return new BatchEvent(
        r.getString("from_status"),
        r.getString("to_status"),
        r.getString("actor"),
        r.getString("reason"),
        r.getOffsetDateTime("at"));
  }
}
