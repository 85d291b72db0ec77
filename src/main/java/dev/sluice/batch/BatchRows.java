package dev.sluice.batch;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

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
      "seq, item_id, status, input, output, error, attempts, usage, prompt_tokens,"
          + " completion_tokens, finish_reason, after_cancel, started_at, finished_at";

  /**
   * A runner's write of its batch row: $1–$14 as {@link CommitColumns#batch} lists them. It matches
   * no row unless the runner still holds the epoch ($2) and wrote the previous revision ($3).
   */
  static final String GUARDED_UPDATE =
      "UPDATE batches SET status = $4, status_reason = $5, pending = $6, in_progress = $7,"
          + " succeeded = $8, failed = $9, cancelled = $10, version = $11, updated_at = now(),"
          + " finished_at = CASE WHEN $12 THEN COALESCE(finished_at, now()) END,"
          + " prompt_tokens = prompt_tokens + $13, completion_tokens = completion_tokens + $14"
          + " WHERE id = $1 AND epoch = $2 AND version = $3";

  /**
   * The same write for many batches at once, in one statement: $1–$14 are arrays with one entry per
   * batch, read as the rows of {@code u}. Each row keeps its own guard, so a batch whose runner
   * lost it is left out and the others are written; it returns the ids of the rows written.
   */
  static final String GUARDED_UPDATES =
      "UPDATE batches AS t SET status = u.status, status_reason = u.reason, pending = u.pending,"
          + " in_progress = u.in_progress, succeeded = u.succeeded, failed = u.failed, cancelled ="
          + " u.cancelled, version = u.version, updated_at = now(), finished_at = CASE WHEN"
          + " u.terminal THEN COALESCE(t.finished_at, now()) END, prompt_tokens = t.prompt_tokens"
          + " + u.prompt_tokens, completion_tokens = t.completion_tokens + u.completion_tokens"
          + " FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],"
          + " $6::int[], $7::int[], $8::int[], $9::int[], $10::int[], $11::bigint[], $12::bool[],"
          + " $13::bigint[], $14::bigint[]) AS u(id, epoch, previous, status, reason, pending,"
          + " in_progress, succeeded, failed, cancelled, version, terminal, prompt_tokens,"
          + " completion_tokens) WHERE t.id = u.id AND t.epoch = u.epoch AND t.version ="
          + " u.previous RETURNING t.id";

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
        usage(r),
        r.getBoolean("after_cancel"),
        r.getOffsetDateTime("started_at"),
        r.getOffsetDateTime("finished_at"));
  }

  /**
   * An item's token usage: from its three columns, or the object a result stored before migration
   * V9 kept in {@code usage}; null while it has none.
   */
  private static @Nullable JsonObject usage(Row r) {
    Integer prompt = r.getInteger("prompt_tokens");
    if (prompt == null) {
      return (JsonObject) r.getValue("usage");
    }
    return new ItemUsage(prompt, r.getInteger("completion_tokens"), r.getString("finish_reason"))
        .toJson();
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
