package dev.sluice.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each route answered in each phase of the outage (before, during, after): counts by answer,
 * where an answer is the status (a 503 noted with or without Retry-After), "timeout" or "no
 * connection"; and every 500, with its route and body.
 */
final class RouteTally {

  private final Map<String, Map<String, Map<String, Integer>>> counts = new TreeMap<>();
  private final List<String> errors = new ArrayList<>();

  synchronized void add(String phase, String route, String answer, String detail) {
    counts
        .computeIfAbsent(route, r -> new TreeMap<>())
        .computeIfAbsent(phase, p -> new TreeMap<>())
        .merge(answer, 1, Integer::sum);
    if (answer.startsWith("500") && errors.size() < 50) {
      errors.add(phase + " " + route + ": " + detail);
    }
  }

  synchronized int count(String phase, String routePrefix, String answerPrefix) {
    int n = 0;
    for (Map.Entry<String, Map<String, Map<String, Integer>>> r : counts.entrySet()) {
      if (!r.getKey().startsWith(routePrefix)) {
        continue;
      }
      for (Map.Entry<String, Integer> a : r.getValue().getOrDefault(phase, Map.of()).entrySet()) {
        if (a.getKey().startsWith(answerPrefix)) {
          n += a.getValue();
        }
      }
    }
    return n;
  }

  synchronized List<String> lines(List<String> phases) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, Map<String, Integer>>> r : counts.entrySet()) {
      StringBuilder b =
          new StringBuilder(String.format(java.util.Locale.ROOT, "%-26s", r.getKey()));
      for (String phase : phases) {
        b.append(" | ")
            .append(phase)
            .append(": ")
            .append(r.getValue().getOrDefault(phase, Map.of()));
      }
      out.add(b.toString());
    }
    return out;
  }

  synchronized List<String> errors() {
    return List.copyOf(errors);
  }
}
