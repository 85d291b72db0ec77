package dev.sluice.app;

import dev.sluice.api.BatchRoutes;
import dev.sluice.api.LiveBatchLimit;
import dev.sluice.api.v1.OpenAiRoutes;
import dev.sluice.auth.Authenticator;
import dev.sluice.auth.Identities;
import dev.sluice.auth.KeyHasher;
import dev.sluice.auth.KeyRoutes;
import dev.sluice.auth.KeyStore;
import dev.sluice.auth.RateLimiter;
import dev.sluice.batch.BatchService;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.BatchStore;
import dev.sluice.batch.BatchSupervisor;
import dev.sluice.batch.BreakerActions;
import dev.sluice.batch.Placement;
import dev.sluice.batch.Takeover;
import dev.sluice.generate.Generator;
import dev.sluice.generate.ProviderGate;
import dev.sluice.http.Health;
import dev.sluice.observe.PrometheusMetrics;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one Sluice process is assembled: the batch runtime of its node (store, provider gate,
 * supervisor, placement, takeover, service) and its HTTP edge (the API server, authentication, and
 * the management server when one is configured). {@link Sluice#start} puts them together.
 */
final class NodeParts {

  private static final Logger log = LoggerFactory.getLogger(NodeParts.class);

  private NodeParts() {}

  /** The batch runtime of this node: its store, provider gate, supervisor and cluster duties. */
  record Node(
      BatchStore store,
      ProviderGate gate,
      BatchSupervisor supervisor,
      Placement placement,
      Takeover takeover,
      BatchService service) {}

  static Node node(
      Vertx vertx,
      Pools pools,
      Generator generator,
      SluiceConfig config,
      Sluice.Joined joined,
      SluiceMetrics metrics) {
    BatchSettings batch = joined.batch();
    BatchStore store = BatchStore.on(pools.runners());
    ProviderGate gate = new ProviderGate(vertx, config.provider(), metrics.providerLimits());
    gate.listen(new BreakerActions(vertx, store.reads()));
    BatchSupervisor supervisor =
        new BatchSupervisor(vertx, store, generator, gate, batch, metrics, joined.membership());
    // Placement counts live batches for a create or a retry-failed, so it queries through the
    // requests' connections, as they do, not the runners'.
    BatchStore requests = BatchStore.on(pools.requests());
    Placement placement = new Placement(vertx, requests, supervisor, batch.nodeId());
    Takeover takeover = new Takeover(vertx, store, supervisor, batch);
    BatchService service =
        new BatchService(vertx, requests, supervisor, gate, batch, metrics, placement);
    Sluice.followMembership(joined, gate, takeover, metrics);
    return new Node(store, gate, supervisor, placement, takeover, service);
  }

  /** The API server, and the management server when one is configured (else port -1). */
  record Edge(HttpVerticle http, int managementPort) {}

  static Edge serve(
      Vertx vertx,
      SluiceConfig config,
      BatchSettings batch,
      BatchService service,
      Pool pool,
      Health health,
      PrometheusMetrics prometheus) {
    KeyStore keys = new KeyStore(pool, new KeyHasher(config.auth().keySecret()));
    boolean managed = config.management().enabled();
    EdgeParts parts =
        new EdgeParts(
            new BatchRoutes(service, config.http(), batch, config.auth()),
            new OpenAiRoutes(
                service,
                config.http(),
                batch,
                new LiveBatchLimit(service, config.auth().maxLiveBatchesPerOwner())),
            new KeyRoutes(keys),
            health,
            prometheus,
            authenticator(vertx, config, keys),
            !managed || !config.auth().enabled());
    HttpVerticle http =
        Sluice.block(HttpVerticle.deploy(vertx, config.http(), config.eventLoops(), parts));
    if (!managed) {
      return new Edge(http, -1);
    }
    int port =
        Sluice.block(ManagementServer.start(vertx, config.management(), health, prometheus))
            .actualPort();
    log.info("The management server listens on port {}", port);
    return new Edge(http, port);
  }

  private static Authenticator authenticator(Vertx vertx, SluiceConfig config, KeyStore keys) {
    if (!config.auth().enabled()) {
      return Authenticator.open();
    }
    Identities identities;
    try {
      identities =
          new Identities(vertx, config.auth(), keys, new KeyHasher(config.auth().keySecret()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "A key in SLUICE_JWT_PUBLIC_KEYS or SLUICE_JWT_JWKS_FILE cannot be used: "
              + e.getMessage());
    }
    return Authenticator.required(identities, new RateLimiter(config.auth().ratePerMinute()));
  }
}
