package dev.sluice.batch;

import java.util.List;

/** The state machine's answer to a command: the next snapshot, or why not. */
public sealed interface Decision {

  /** The command is allowed: store {@code next} and its transition, then run the effects. */
  record Accepted(BatchSnapshot next, Transition transition, List<Effect> effects)
      implements Decision {
    public Accepted {
      effects = List.copyOf(effects);
    }
  }

  /** The command is not allowed in the current state; nothing changes. */
  record Rejected(BatchStatus current, String command, String detail) implements Decision {}
}
