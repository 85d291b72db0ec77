package dev.sluice.batch;

import java.util.List;

/**
 * One write of a batch's runtime, made in one transaction: the new snapshot (guarded by the epoch
 * and the previous revision), items that started, items that settled, the transitions to record and
 * the effects of accepted commands. {@code keep} lists items still in flight, which a cancel must
 * leave to finish; {@code usage} is the tokens the settled items used; {@code unmarked} is how many
 * items in flight are not marked in progress in the database yet (dispatched moments ago), which
 * the stored counts show as pending, as their rows do.
 */
record Commit(
    long epoch,
    long previousVersion,
    BatchSnapshot next,
    List<Integer> started,
    List<ItemResult> settled,
    List<Transition> transitions,
    List<Effect> effects,
    List<Integer> keep,
    TokenUsage usage,
    int unmarked) {

  Commit {
    started = List.copyOf(started);
    settled = List.copyOf(settled);
    transitions = List.copyOf(transitions);
    effects = List.copyOf(effects);
    keep = List.copyOf(keep);
  }
}
