package dev.sluice.batch;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Every stored change of a batch is published on the batch's own event-bus address, for whoever
 * watches it live (the server-sent event stream, on whichever node), and a change that carries
 * transitions also on one address for all batches (the census of batches by status). Each
 * transition is logged here, once, at INFO, with the batch id, from, to, actor and reason as
 * fields. Publishing happens after the write, so neither a watcher nor the log ever shows a state
 * that is not durable.
 *
 * <p>Only transitions go to the shared address: in a cluster every node listens there, and a stored
 * result count every few milliseconds sent to every node costs the cluster more than all its other
 * traffic.
 */
public final class BatchChanges {

  /**
   * Where every batch's transitions are published, cluster-wide; the body is a JSON object (see
   * {@link #body}).
   */
  public static final String ADDRESS = "sluice.batch.changed";

  /** How many items are in each state, as every answer and live event shows it. */
  public static JsonObject counts(Counts n) {
    return new JsonObject()
        .put("total", n.total())
        .put("pending", n.pending())
        .put("inProgress", n.inProgress())
        .put("succeeded", n.succeeded())
        .put("failed", n.failed())
        .put("cancelled", n.cancelled());
  }

  /** Where one batch's changes are published too, for those who watch only that batch. */
  public static String address(UUID batchId) {
    return ADDRESS + "." + batchId;
  }

  private static final Logger log = LoggerFactory.getLogger(BatchChanges.class);

  private BatchChanges() {}

  static void publish(Vertx vertx, BatchSnapshot s, List<Transition> transitions) {
    transitions.forEach(t -> logTransition(s, t));
    JsonObject body = body(s, transitions);
    if (!transitions.isEmpty()) {
      vertx.eventBus().publish(ADDRESS, body);
    }
    vertx.eventBus().publish(address(s.id()), body);
  }

  private static void logTransition(BatchSnapshot s, Transition t) {
    LoggingEventBuilder line =
        log.atInfo()
            .addKeyValue("batch", s.id())
            .addKeyValue("from", t.fromWire())
            .addKeyValue("to", t.to().wire())
            .addKeyValue("actor", t.actor());
    if (t.reason() != null) {
      line = line.addKeyValue("reason", t.reason());
    }
    line.log("Batch {} -> {}", t.fromWire(), t.to().wire());
  }

  /**
   * {@code batchId}, {@code status}, {@code statusReason}, {@code counts}, {@code version}, {@code
   * transitions}.
   */
  static JsonObject body(BatchSnapshot s, List<Transition> transitions) {
    JsonArray moves = new JsonArray();
    String now = Instant.now().toString();
    for (Transition t : transitions) {
      moves.add(
          new JsonObject()
              .put("from", t.fromWire())
              .put("to", t.to().wire())
              .put("actor", t.actor())
              .put("reason", t.reason())
              .put("at", now));
    }
    return new JsonObject()
        .put("batchId", s.id().toString())
        .put("status", s.status().wire())
        .put("statusReason", s.statusReason())
        .put("counts", counts(s.counts()))
        .put("version", s.version())
        .put("transitions", moves);
  }
}
