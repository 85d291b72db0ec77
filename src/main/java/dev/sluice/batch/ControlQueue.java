package dev.sluice.batch;

import dev.sluice.batch.Decision.Rejected;
import io.vertx.core.eventbus.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The control commands a runner has received and not yet answered, in arrival order. A command the
 * stored state refuses is answered at once, without a write; the others wait for the commit that
 * carries them and are answered after it, in order.
 */
final class ControlQueue {

  /** A command and the message to answer. */
  record Queued(BatchCommand command, Message<ControlRequest> message) {}

  /** The answer while the batch is being recovered (its runner lost it, or the node let it go). */
  static final ControlResult RECOVERING =
      new ControlResult.Unavailable("The batch is being recovered; try again shortly.");

  /** The answer to a command whose commit failed. */
  static final ControlResult NOT_STORED =
      new ControlResult.Unavailable("The change could not be stored; try again shortly.");

  private final ArrayDeque<Queued> queue = new ArrayDeque<>();

  void add(BatchCommand command, Message<ControlRequest> message) {
    queue.add(new Queued(command, message));
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /**
   * Answers the commands at the head that the stored state refuses (pause a paused batch); a
   * refusal that depends on a command ahead of it (pause, pause) waits for that command's commit.
   * Call it only with no commit in flight, when {@code stored} is what the database holds.
   */
  void refuseAtOnce(BatchSnapshot stored) {
    Queued head;
    while ((head = queue.peek()) != null
        && BatchMachine.decide(stored, head.command()) instanceof Rejected r) {
      queue.poll();
      head.message().reply(refused(r));
    }
  }

  /** Takes every waiting command, to be planned into the next commit. */
  List<Queued> takeAll() {
    List<Queued> all = new ArrayList<>(queue);
    queue.clear();
    return all;
  }

  /** Answers every waiting command with the same result, and forgets them. */
  void answerAll(ControlResult result) {
    queue.forEach(q -> q.message().reply(result));
    queue.clear();
  }

  /** After a durable commit: each taken command gets the batch, or its refusal. */
  static void answer(List<Queued> taken, List<Decision> decisions, ControlResult done) {
    for (int i = 0; i < taken.size(); i++) {
      Decision d = decisions.get(i);
      taken.get(i).message().reply(d instanceof Rejected r ? refused(r) : done);
    }
  }

  static ControlResult refused(Rejected r) {
    return new ControlResult.Refused(r.current(), r.detail());
  }
}
