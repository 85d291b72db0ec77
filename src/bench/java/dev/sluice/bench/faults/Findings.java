package dev.sluice.bench.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Faults found by the kill cycles, by kind, each counted once however often it is seen (a lost item
 * stays lost on every later check), with the first few descriptions kept as examples.
 */
final class Findings {

  static final List<String> KINDS =
      List.of("lost", "duplicated", "stuck", "inconsistent", "undone");
  private static final int EXAMPLES = 8;

  private final Map<String, Set<String>> keys = new LinkedHashMap<>();
  private final Map<String, List<String>> examples = new LinkedHashMap<>();

  Findings() {
    for (String k : KINDS) {
      keys.put(k, new LinkedHashSet<>());
      examples.put(k, new ArrayList<>());
    }
  }

  /** Records a fault of this kind; the key says what is counted (an item, a batch, a control). */
  synchronized boolean add(String kind, String key, String description) {
    boolean fresh = keys.get(kind).add(key);
    if (fresh && examples.get(kind).size() < EXAMPLES) {
      examples.get(kind).add(description);
    }
    return fresh;
  }

  synchronized int count(String kind) {
    return keys.get(kind).size();
  }

  synchronized List<String> examples(String kind) {
    return List.copyOf(examples.get(kind));
  }

  synchronized int total() {
    return keys.values().stream().mapToInt(Set::size).sum();
  }
}
