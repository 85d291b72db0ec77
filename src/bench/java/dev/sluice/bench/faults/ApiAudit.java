package dev.sluice.bench.faults;

import dev.sluice.bench.Http;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The kill cycles' checks made through the API, as a user sees the batches: each acknowledged batch
 * is listed and readable, its status honours the acknowledged controls, and (once nothing moves)
 * its counts and item pages agree with the database, each item once.
 */
final class ApiAudit {

  private static final String BASE = "/api/generation/batch";
  private static final String[] COUNTS = {
    "total", "pending", "inProgress", "succeeded", "failed", "cancelled"
  };

  private final Findings findings;

  ApiAudit(Findings findings) {
    this.findings = findings;
  }

  /** After a restart: every acknowledged batch answers, in a state its controls allow. */
  void statuses(Http http, Ledger ledger, String when) {
    for (UUID id : ledger.created().keySet()) {
      Http.Reply r = http.get(BASE + "/" + id);
      if (r.status() == 404) {
        findings.add(
            "lost", "batch " + id, when + ": GET of acknowledged batch " + id + " answered 404");
        continue;
      }
      if (r.status() != 200) {
        findings.add(
            "inconsistent",
            "get " + id + " " + r.status(),
            when + ": GET " + id + " answered " + r.status());
        continue;
      }
      String status = r.json().getString("status");
      ledger
          .binding(id)
          .filter(b -> !b.allowed().contains(status))
          .ifPresent(
              b ->
                  findings.add(
                      "undone",
                      b.key(),
                      when
                          + ": acknowledged "
                          + b.control().command()
                          + " of "
                          + id
                          + " (cycle "
                          + b.control().cycle()
                          + ") but the API says "
                          + status));
    }
  }

  /**
   * When nothing moves: the list holds every acknowledged batch; each batch's counts equal the
   * database's; its item pages hold each item once, as many as it was created with.
   */
  void settled(Http http, Ledger ledger, Map<UUID, ItemAudit.Row> rows) {
    Set<UUID> listed = listed(http);
    for (Map.Entry<UUID, Integer> e : ledger.created().entrySet()) {
      UUID id = e.getKey();
      if (!listed.contains(id)) {
        findings.add(
            "lost", "batch " + id, "at the end: batch " + id + " is missing from the list");
      }
      ItemAudit.Row row = rows.get(id);
      Http.Reply r = http.get(BASE + "/" + id);
      if (row == null || r.status() != 200) {
        continue;
      }
      JsonObject counts = r.json().getJsonObject("counts");
      for (int i = 0; i < COUNTS.length; i++) {
        if (counts.getLong(COUNTS[i]) != row.counted(i)) {
          findings.add(
              "inconsistent",
              id.toString(),
              "at the end: the API's counts."
                  + COUNTS[i]
                  + " of "
                  + id
                  + " is "
                  + counts.getLong(COUNTS[i])
                  + ", the items say "
                  + row.counted(i));
        }
      }
      items(http, id, e.getValue(), row);
    }
  }

  private void items(Http http, UUID id, int expected, ItemAudit.Row row) {
    Set<String> seen = new HashSet<>();
    Map<String, Long> byStatus = new HashMap<>();
    String cursor = null;
    do {
      String path =
          BASE
              + "/"
              + id
              + "/items?limit=500"
              + (cursor == null
                  ? ""
                  : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      Http.Reply r = http.get(path);
      if (r.status() != 200) {
        findings.add(
            "inconsistent", "items " + id, "at the end: GET " + path + " answered " + r.status());
        return;
      }
      JsonObject page = r.json();
      for (Object o : page.getJsonArray("data")) {
        JsonObject item = (JsonObject) o;
        if (!seen.add(item.getString("id"))) {
          findings.add(
              "duplicated",
              id + "/" + item.getString("id"),
              "at the end: item " + item.getString("id") + " of " + id + " is listed twice");
        }
        byStatus.merge(item.getString("status"), 1L, Long::sum);
      }
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    if (seen.size() < expected) {
      findings.add(
          "lost",
          "api rows " + id,
          "at the end: the API lists "
              + seen.size()
              + " items of "
              + id
              + ", created with "
              + expected);
    }
    String[] statuses = {"pending", "in_progress", "succeeded", "failed", "cancelled"};
    for (int i = 0; i < statuses.length; i++) {
      long listed = byStatus.getOrDefault(statuses[i], 0L);
      if (listed != row.counted(i + 1)) {
        findings.add(
            "inconsistent",
            id.toString(),
            "at the end: the API lists "
                + listed
                + " "
                + statuses[i]
                + " items of "
                + id
                + ", the database "
                + row.counted(i + 1));
      }
    }
  }

  private static Set<UUID> listed(Http http) {
    Set<UUID> ids = new HashSet<>();
    String cursor = null;
    do {
      Http.Reply r =
          http.get(
              BASE
                  + "?limit=500"
                  + (cursor == null
                      ? ""
                      : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
      if (r.status() != 200) {
        return ids;
      }
      JsonObject page = r.json();
      page.getJsonArray("data")
          .forEach(o -> ids.add(UUID.fromString(((JsonObject) o).getString("id"))));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return ids;
  }
}
