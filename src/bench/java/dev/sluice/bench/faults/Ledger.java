package dev.sluice.bench.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Every batch the kill cycles created and every control they sent, with what came back: a 200 is
 * acknowledged, any other answer rejected, no answer (the process died first) unknown. From it, the
 * states a batch may be in: an acknowledged pause holds until a later control that may have been
 * applied, an acknowledged cancel for good.
 */
final class Ledger {

  /** What a control's request got back. */
  enum Outcome {
    ACKNOWLEDGED,
    REJECTED,
    UNKNOWN
  }

  /** One control sent, in order. */
  record Control(UUID batch, String command, Outcome outcome, int cycle, String answer) {}

  private final Map<UUID, Integer> created = new LinkedHashMap<>();
  private final Map<UUID, List<Control>> controls = new LinkedHashMap<>();

  synchronized void created(UUID batch, int items) {
    created.put(batch, items);
  }

  synchronized void sent(Control c) {
    controls.computeIfAbsent(c.batch(), k -> new ArrayList<>()).add(c);
  }

  /** Batches whose create was acknowledged, with their item counts. */
  synchronized Map<UUID, Integer> created() {
    return Map.copyOf(created);
  }

  synchronized long count(Outcome outcome) {
    return controls.values().stream()
        .flatMap(List::stream)
        .filter(c -> c.outcome() == outcome)
        .count();
  }

  /** How many retry-failed requests were sent to the batch, whatever they got back. */
  synchronized int retriesSent(UUID batch) {
    return (int)
        controls.getOrDefault(batch, List.of()).stream()
            .filter(c -> c.command().equals("retry-failed") && c.outcome() != Outcome.REJECTED)
            .count();
  }

  /**
   * The acknowledged pause or cancel that still binds the batch, and the states it allows; empty
   * when the last acknowledged control is neither.
   */
  synchronized Optional<Binding> binding(UUID batch) {
    List<Control> list = controls.getOrDefault(batch, List.of());
    int last = -1;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).outcome() == Outcome.ACKNOWLEDGED) {
        last = i;
      }
    }
    if (last < 0) {
      return Optional.empty();
    }
    Control c = list.get(last);
    Set<String> allowed = new TreeSet<>();
    switch (c.command()) {
      case "cancel" -> allowed.add("cancelled");
      case "pause" -> {
        allowed.add("paused");
        for (Control later : list.subList(last + 1, list.size())) {
          if (later.outcome() == Outcome.UNKNOWN) {
            allowed.addAll(effects(later.command()));
          }
        }
      }
      default -> {
        return Optional.empty();
      }
    }
    return Optional.of(new Binding(c, last, Set.copyOf(allowed)));
  }

  /** An acknowledged control and the states the batch may show because of it. */
  record Binding(Control control, int index, Set<String> allowed) {
    String key() {
      return control.batch() + "#" + index;
    }
  }

  private static Set<String> effects(String command) {
    return switch (command) {
      case "pause" -> Set.of("paused");
      case "cancel" -> Set.of("cancelled");
      default -> Set.of("running", "completed");
    };
  }
}
