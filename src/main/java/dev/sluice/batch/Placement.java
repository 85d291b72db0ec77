package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a new or reopened batch runs: on the live node with the fewest running or paused batches
 * (counted in the database, the one record every node shares, at most every {@link #COUNT_FOR_MS}
 * with this node's own placements added in between), or on the node that received the request when
 * it has at most {@link #GAP} more than that one. A batch placed elsewhere is stored with that node
 * as its owner and handed to it over the event bus; should the hand-over fail, the batch is not
 * lost: its owner's renewal finds it without a runner, or, if that node is gone, a survivor adopts
 * it.
 */
public final class Placement {

  private static final Logger log = LoggerFactory.getLogger(Placement.class);
  private static final long HAND_OVER_TIMEOUT_MS = 10_000;

  /** How many more live batches the receiving node may have and still keep a new one. */
  static final long GAP = 1;

  /** How long one count of live batches per node serves this node's placements. */
  static final long COUNT_FOR_MS = 250;

  private final Vertx vertx;
  private final BatchStore store;
  private final BatchSupervisor supervisor;
  private final String self;
  private final LiveCounts counts = new LiveCounts(COUNT_FOR_MS * 1_000_000);

  public Placement(Vertx vertx, BatchStore store, BatchSupervisor supervisor, String self) {
    this.vertx = vertx;
    this.store = store;
    this.supervisor = supervisor;
    this.self = self;
  }

  /** Where this node's hand-overs arrive. */
  static String address(String nodeId) {
    return "sluice.node." + nodeId;
  }

  /** Listens for batches other nodes place here. */
  public Future<Void> listen() {
    return vertx.eventBus().<String>consumer(address(self), this::onHandOver).completion();
  }

  private void onHandOver(Message<String> message) {
    UUID id;
    try {
      id = UUID.fromString(message.body());
    } catch (IllegalArgumentException e) {
      message.fail(400, "not a batch id");
      return;
    }
    long started = System.nanoTime();
    store
        .leases()
        .ownedBatch(self, id)
        .onSuccess(
            found -> {
              supervisor.leasesTaken(started, found.size());
              supervisor.launchAll(found).onComplete(ar -> message.reply(found.size()));
            })
        .onFailure(e -> message.fail(503, String.valueOf(e.getMessage())));
  }

  /** The node a new or reopened batch should run on. */
  public Future<String> choose() {
    Membership members = supervisor.membership();
    List<String> nodes = members.nodes();
    if (!members.clustered() || nodes.size() < 2) {
      return Future.succeededFuture(self);
    }
    long now = System.nanoTime();
    String node = counts.placeIfFresh(now, c -> pick(self, nodes, c));
    if (node != null) {
      return Future.succeededFuture(node);
    }
    return store
        .leases()
        .liveByOwner()
        .map(
            c -> {
              counts.counted(c, now);
              return counts.placeOnLatest(System.nanoTime(), latest -> pick(self, nodes, latest));
            })
        .recover(e -> Future.succeededFuture(self));
  }

  /** The node with the fewest live batches, unless {@code self} is within {@link #GAP} of it. */
  static String pick(String self, List<String> nodes, Map<String, Long> counts) {
    long mine = counts.getOrDefault(self, 0L);
    String best = self;
    long least = mine;
    for (String node : nodes) {
      long n = counts.getOrDefault(node, 0L);
      if (n < least) {
        least = n;
        best = node;
      }
    }
    return mine - least <= GAP ? self : best;
  }

  /** Starts the batch's runner on {@code node}, which the stored batch names as its owner. */
  public Future<Void> handTo(String node, BatchRecord record) {
    if (node.equals(self)) {
      return supervisor.launch(record);
    }
    return vertx
        .eventBus()
        .request(
            address(node),
            record.id().toString(),
            new DeliveryOptions().setSendTimeout(HAND_OVER_TIMEOUT_MS))
        .<Void>mapEmpty()
        .recover(
            e -> {
              log.atWarn()
                  .addKeyValue("batch", record.id())
                  .addKeyValue("node", node)
                  .log(
                      "Handing the batch over failed; its owner or a survivor will run it: {}",
                      e.getMessage());
              return Future.succeededFuture();
            });
  }
}
