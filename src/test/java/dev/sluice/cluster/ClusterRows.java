package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.JarProcess;
import dev.sluice.support.TestDatabase;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the cluster tests read of the shared database — a batch's owner, status and counts — and the
 * check that every item of a batch ended exactly once, with the nodes' processes picked by the
 * batches they own.
 */
final class ClusterRows {

  private final TestDatabase db;

  ClusterRows(TestDatabase db) {
    this.db = db;
  }

  String owner(String id) {
    return db.queryText(
        "SELECT coalesce(owner_node, '') FROM batches WHERE id = '" + UUID.fromString(id) + "'");
  }

  String status(String id) {
    return db.queryText("SELECT status FROM batches WHERE id = '" + UUID.fromString(id) + "'");
  }

  long batchLong(String id, String column) {
    return db.queryLong(
        "SELECT " + column + " FROM batches WHERE id = '" + UUID.fromString(id) + "'");
  }

  /** No item with two rows or left unfinished; the batch row counts exactly what the items say. */
  void assertEveryItemEndedOnce(String id) {
    String where = " FROM items WHERE batch_id = '" + UUID.fromString(id) + "'";
    assertThat(db.queryLong("SELECT count(*) - count(DISTINCT item_id)" + where))
        .as("items of %s with two rows", id)
        .isZero();
    assertThat(
            db.queryLong("SELECT count(*)" + where + " AND status IN ('pending', 'in_progress')"))
        .as("items of %s not finished", id)
        .isEqualTo("paused".equals(status(id)) ? batchLong(id, "pending") : 0);
    Map<String, Long> byStatus = new HashMap<>();
    for (String s : List.of("pending", "in_progress", "succeeded", "failed", "cancelled")) {
      byStatus.put(s, db.queryLong("SELECT count(*)" + where + " AND status = '" + s + "'"));
      assertThat(batchLong(id, s)).as("batches.%s of %s", s, id).isEqualTo(byStatus.get(s));
    }
    assertThat(batchLong(id, "total")).isEqualTo(db.queryLong("SELECT count(*)" + where));
  }

  /** A node of {@code cluster} that does not own the batch. */
  JarProcess nonOwner(List<JarProcess> cluster, String id) {
    String owner = owner(id);
    return cluster.stream().filter(p -> !p.name().equals(owner)).findFirst().orElseThrow();
  }

  static JarProcess byName(List<JarProcess> cluster, String name) {
    return cluster.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  static List<JarProcess> without(List<JarProcess> cluster, JarProcess gone) {
    return cluster.stream().filter(p -> p != gone).toList();
  }

  static Set<String> names(List<JarProcess> cluster) {
    Set<String> out = new HashSet<>();
    cluster.forEach(p -> out.add(p.name()));
    return out;
  }

  /** How often the node's log says the runner watch found a runner with work left and idle. */
  static long watchRescues(JarProcess node) {
    return linesSaying(node, "The batch had work left");
  }

  /** How often the node's log says one of its runners stopped because it lost its batch. */
  static long runnerStops(JarProcess node) {
    return linesSaying(node, "runner stops");
  }

  private static long linesSaying(JarProcess node, String text) {
    return node.logText().lines().filter(l -> l.contains(text)).count();
  }
}
