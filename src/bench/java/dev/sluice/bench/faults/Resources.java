package dev.sluice.bench.faults;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the harness started and must undo (child processes, databases, the private PostgreSQL),
 * closed last-opened first: at the end of a part, and by a shutdown hook if the run is interrupted.
 */
final class Resources {

  /** One thing to undo. */
  interface Undo {
    void run() throws Exception;
  }

  private final Deque<Undo> open = new ArrayDeque<>();

  synchronized <T> T add(T thing, Undo undo) {
    open.push(undo);
    return thing;
  }

  /** Undoes everything registered, newest first; a failure is printed and the rest still run. */
  synchronized void closeAll() {
    while (!open.isEmpty()) {
      Undo u = open.pop();
      try {
        u.run();
      } catch (Exception e) {
        System.err.println("faults: clean-up: " + e);
      }
    }
  }
}
