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
 * Every stored change of a batch is published on one event-bus address, for whoever watches batches
 * live (the server-sent event stream, metrics), and each of its transitions is logged here, once,
 * at INFO, with the batch id, from, to, actor and reason as fields. Publishing happens after the
 * write, so neither a watcher nor the log ever shows a state that is not durable.
 */
public final class BatchChanges {

  /** Where every batch's changes are published; the body is a JSON object (see {@link #body}). */
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
    vertx.eventBus().publish(ADDRESS, body);
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
