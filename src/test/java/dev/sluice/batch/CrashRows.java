package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.app.Database;
import dev.sluice.support.Api;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * What a killed and restarted Sluice left in its database — a batch's row and its items — and the
 * checks of docs/architecture.md §2 and §4 on them: every item ends exactly once, no finished
 * result is lost or rewritten, a crash costs no attempt, and the counts (stored and in the API) and
 * the history say what the items say.
 */
final class CrashRows {

  private final TestDatabase db;

  CrashRows(TestDatabase db) {
    this.db = db;
  }

  /** One item as the database holds it. */
  record Item(
      String itemId,
      String status,
      @Nullable String output,
      int attempts,
      @Nullable String finishedAt) {}

  void assertEveryItemSucceededOnce(String batchId, Map<String, Item> items, int total) {
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM items WHERE batch_id = '" + UUID.fromString(batchId) + "'"))
        .as("item rows of %s", batchId)
        .isEqualTo(total);
    assertThat(items.keySet())
        .containsExactlyInAnyOrderElementsOf(
            IntStream.rangeClosed(1, total).mapToObj(i -> "q" + i).toList());
    assertThat(items.values().stream().filter(i -> !i.status().equals("succeeded")).toList())
        .as("items of %s that did not succeed", batchId)
        .isEmpty();
    assertThat(items.values().stream().filter(i -> i.attempts() != 1).toList())
        .as(
            "items of %s with other than one attempt: the crash must not count as a failed attempt",
            batchId)
        .isEmpty();
    assertThat(
            items.values().stream()
                .filter(i -> i.output() == null || i.finishedAt() == null)
                .toList())
        .as("succeeded items of %s without output or finished_at", batchId)
        .isEmpty();
  }

  static void assertFinishedResultsKept(Map<String, Item> before, Map<String, Item> after) {
    Map<String, Item> finished = succeeded(before);
    List<String> changed =
        finished.entrySet().stream()
            .filter(e -> !e.getValue().equals(after.get(e.getKey())))
            .map(e -> e.getValue() + " became " + after.get(e.getKey()))
            .toList();
    assertThat(changed)
        .as("results finished before the crash that were lost or rewritten")
        .isEmpty();
  }

  void assertCountsMatchItems(Api api, String batchId, Map<String, Item> items) {
    JsonObject counts = api.counts(batchId);
    Map<String, Long> byStatus = byStatus(items);
    String[][] columns = {
      {"pending", "pending", "pending"},
      {"in_progress", "in_progress", "inProgress"},
      {"succeeded", "succeeded", "succeeded"},
      {"failed", "failed", "failed"},
      {"cancelled", "cancelled", "cancelled"},
    };
    long sum = 0;
    for (String[] c : columns) {
      long expected = byStatus.getOrDefault(c[0], 0L);
      assertThat(batchLong(batchId, c[1])).as("batches.%s", c[1]).isEqualTo(expected);
      assertThat(counts.getLong(c[2])).as("counts.%s in the API", c[2]).isEqualTo(expected);
      sum += batchLong(batchId, c[1]);
    }
    assertThat(batchLong(batchId, "total")).isEqualTo(items.size()).isEqualTo(sum);
    assertThat(counts.getLong("total")).isEqualTo(items.size());
  }

  /** The batch row as the crash left it counts exactly the item rows as the crash left them. */
  void assertStoredCountsMatchItems(String batchId, Map<String, Item> items) {
    Map<String, Long> byStatus = byStatus(items);
    for (String column : List.of("pending", "in_progress", "succeeded", "failed", "cancelled")) {
      assertThat(batchLong(batchId, column))
          .as("batches.%s against the items, as the crash left them", column)
          .isEqualTo(byStatus.getOrDefault(column, 0L));
    }
  }

  static void assertHistory(Api api, String batchId, List<String> expected) {
    Api.Reply reply = api.get("/api/generation/batch/" + batchId + "/events");
    assertThat(reply.status()).isEqualTo(200);
    List<String> history =
        reply.json().getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .map(e -> e.getString("from") + ">" + e.getString("to"))
            .toList();
    assertThat(history).as("history of %s", batchId).containsExactlyElementsOf(expected);
  }

  long batchLong(String batchId, String column) {
    return db.queryLong(
        "SELECT " + column + " FROM batches WHERE id = '" + UUID.fromString(batchId) + "'");
  }

  String batchText(String batchId, String column) {
    return query("SELECT " + column + " FROM batches WHERE id = ?", batchId, rs -> rs.getString(1))
        .get(0);
  }

  /** The batch's items by id, in the order they were submitted; an id on two rows fails. */
  Map<String, Item> items(String batchId) {
    List<Item> rows =
        query(
            "SELECT item_id, status, output, attempts, finished_at::text FROM items WHERE batch_id = ? ORDER BY seq",
            batchId,
            rs ->
                new Item(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getInt(4),
                    rs.getString(5)));
    Map<String, Item> out = new LinkedHashMap<>();
    rows.forEach(i -> out.merge(i.itemId(), i, (a, b) -> a));
    assertThat(out).as("item ids of %s are unique", batchId).hasSize(rows.size());
    return out;
  }

  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String sql, String batchId, RowReader<T> reader) {
    try (Connection c = Database.connect(db.url());
        PreparedStatement st = c.prepareStatement(sql)) {
      st.setObject(1, UUID.fromString(batchId));
      List<T> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(reader.read(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  static long count(Map<String, Item> items, String status) {
    return items.values().stream().filter(i -> i.status().equals(status)).count();
  }

  static Map<String, Item> succeeded(Map<String, Item> items) {
    return items.entrySet().stream()
        .filter(e -> e.getValue().status().equals("succeeded"))
        .collect(
            Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
  }

  private static Map<String, Long> byStatus(Map<String, Item> items) {
    Map<String, Long> out = new TreeMap<>();
    items.values().forEach(i -> out.merge(i.status(), 1L, Long::sum));
    return out;
  }
}
