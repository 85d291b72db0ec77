package dev.sluice.app;

import dev.sluice.batch.BatchCensus;
import dev.sluice.batch.BatchReads;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.BatchSupervisor;
import dev.sluice.batch.ControlRequest;
import dev.sluice.batch.ControlResult;
import dev.sluice.batch.Handover;
import dev.sluice.batch.Membership;
import dev.sluice.batch.ProviderHolds;
import dev.sluice.batch.Takeover;
import dev.sluice.generate.Generator;
import dev.sluice.generate.OpenAiGenerator;
import dev.sluice.generate.ProviderGate;
import dev.sluice.generate.SimulatedGenerator;
import dev.sluice.http.Health;
import dev.sluice.observe.Logs;
import dev.sluice.observe.PrometheusMetrics;
import dev.sluice.observe.SluiceMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.ext.web.Route;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Sluice: its database, its Vert.x instance, the batch supervisor and the HTTP server.
 * {@link #main} starts one from the settings and prints where it listens.
 */
public final class Sluice implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Sluice.class);
  private static final long READINESS_PERIOD_MS = 5_000;
  private static final long SHUTDOWN_SLACK_MS = 10_000;

  private final Database database;
  private final Vertx vertx;
  private final Pools pools;
  private final BatchSupervisor supervisor;
  private final int port;
  private final int managementPort;
  private final List<Route> routes;
  private final Handover handover;
  private final Duration grace;

  private Sluice(
      Database database,
      Vertx vertx,
      Pools pools,
      BatchSupervisor supervisor,
      int port,
      int managementPort,
      List<Route> routes,
      Handover handover,
      SluiceConfig config) {
    this.handover = handover;
    this.grace = config.shutdownGrace();
    this.database = database;
    this.vertx = vertx;
    this.pools = pools;
    this.supervisor = supervisor;
    this.port = port;
    this.managementPort = managementPort;
    this.routes = routes;
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("keys")) {
      System.exit(
          KeysCommand.run(
              List.of(args).subList(1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    if (args.length > 0 && args[0].equals("warm-up")) {
      System.exit(WarmUpCommand.run(List.of(args).subList(1, args.length), System.out, System.err));
      return;
    }
    // One hook for the whole exit (SIGTERM included): Sluice hands its batches over and stops, then
    // the lines it logged meanwhile are written before logging itself stops (observe.Logs).
    AtomicReference<Sluice> running = new AtomicReference<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Sluice started = running.get();
                  if (started != null) {
                    started.shutdown();
                  }
                  Logs.flushAndStop();
                },
                "sluice-shutdown"));
    Sluice sluice;
    try {
      SluiceConfig config = Settings.load(List.of(args), System.getenv());
      sluice = start(config);
    } catch (ConfigException e) {
      System.err.println("sluice: " + e.getMessage());
      System.exit(2);
      return;
    }
    running.set(sluice);
    log.info("Sluice is running: http://localhost:{}/", sluice.port());
  }

  /** Starts Sluice with the generator its settings name. */
  public static Sluice start(SluiceConfig config) {
    return start(config, vertx -> generator(vertx, config));
  }

  /**
   * Starts Sluice with the given generator; returns once recovery has finished. The log format is
   * the process's: the last Sluice started sets it.
   */
  public static Sluice start(SluiceConfig config, Function<Vertx, Generator> generators) {
    config.logFormat().apply();
    PrometheusMetrics prometheus = new PrometheusMetrics();
    Opened opened = openAndJoin(config, prometheus);
    try {
      return run(config, generators, prometheus, opened.joined(), opened.database());
    } catch (RuntimeException e) {
      block(opened.joined().vertx().close());
      opened.database().close();
      throw e;
    }
  }

  /** Vert.x, in its cluster, and the database, migrated. */
  private record Opened(Joined joined, Database database) {}

  /**
   * The database (found or started, then migrated) and Vert.x (with its metrics, in its cluster)
   * need nothing of each other: they start side by side (docs/decisions.md, "The database and
   * Vert.x start side by side"). If either fails, the other is closed.
   */
  private static Opened openAndJoin(SluiceConfig config, PrometheusMetrics prometheus) {
    CompletableFuture<Database> opening = openInBackground(config);
    Joined joined;
    try {
      joined = join(prometheus, config);
    } catch (RuntimeException e) {
      closeWhenOpen(opening);
      throw e;
    }
    try {
      return new Opened(joined, block(Future.fromCompletionStage(opening)));
    } catch (RuntimeException e) {
      block(joined.vertx().close());
      throw e;
    }
  }

  /** The node's parts on Vert.x and the database, recovery, then the HTTP server. */
  private static Sluice run(
      SluiceConfig config,
      Function<Vertx, Generator> generators,
      PrometheusMetrics prometheus,
      Joined joined,
      Database database) {
    Vertx vertx = joined.vertx();
    BatchSettings batch = joined.batch();
    SluiceMetrics metrics = prometheus.sluice(config.generator());
    registerCodecs(vertx);
    // Half a lease (1–30 s): a node frozen mid-transaction frees its rows before its leases end.
    Duration idle =
        Duration.ofMillis(Math.min(30_000, Math.max(1_000, batch.leaseTtl().toMillis() / 2)));
    Pools pools = Pools.open(database, vertx, config, idle);
    NodeParts.Node node =
        NodeParts.node(vertx, pools, generators.apply(vertx), config, joined, metrics);
    // Readiness asks the database over a connection of its own, so a busy pool (a thousand batches
    // starting at once) does not read as a database that is down.
    Pool probePool = database.pool(vertx, 1, idle);
    Health health = health(new BatchReads(probePool), node.supervisor(), joined.membership());
    block(node.placement().listen());
    // Recovery's claims run in the database while the HTTP server starts.
    Future<Integer> recovery = node.supervisor().recoverAll();
    NodeParts.Edge edge =
        NodeParts.serve(vertx, config, batch, node.service(), pools.requests(), health, prometheus);
    int recovered = block(recovery);
    block(node.takeover().start());
    node.gate().hold(block(new ProviderHolds(pools.runners()).of(batch.nodeId())));
    block(vertx.deployVerticle(new BatchCensus(node.store().reads(), metrics)));
    vertx.setPeriodic(
        0, READINESS_PERIOD_MS, t -> health.run().onSuccess(r -> metrics.readiness(r.states())));
    log.info(
        "Sluice listens on port {}; {} batches recovered; node {} of {}",
        edge.http().port(),
        recovered,
        batch.nodeId(),
        joined.membership().nodes());
    Handover handover =
        new Handover(vertx, node.store(), node.supervisor(), node.takeover(), batch.nodeId());
    return new Sluice(
        database,
        vertx,
        pools,
        node.supervisor(),
        edge.http().port(),
        edge.managementPort(),
        edge.http().routes(),
        handover,
        config);
  }

  /** {@link Database#open} on a thread of its own; the future completes with it or its failure. */
  private static CompletableFuture<Database> openInBackground(SluiceConfig config) {
    CompletableFuture<Database> opening = new CompletableFuture<>();
    Thread open =
        new Thread(
            () -> {
              try {
                opening.complete(Database.open(config.databaseUrl(), config.dataDir()));
              } catch (RuntimeException | Error e) {
                opening.completeExceptionally(e);
              }
            },
            "sluice-database-open");
    open.start();
    return opening;
  }

  /** Closes the database once it is open, if it opens: the start failed meanwhile. */
  private static void closeWhenOpen(CompletableFuture<Database> opening) {
    Future.fromCompletionStage(opening).onSuccess(Database::close);
  }

  private static void registerCodecs(Vertx vertx) {
    vertx
        .eventBus()
        .registerCodec(new ControlRequest.Codec())
        .registerCodec(new ControlResult.Codec())
        .codecSelector(ControlResult::codecFor);
  }

  /**
   * The provider's limits are shared among the live members, and a member that leaves leaves its
   * batches to take over: both follow every membership change.
   */
  static void followMembership(
      Joined joined, ProviderGate gate, Takeover takeover, SluiceMetrics metrics) {
    Membership membership = joined.membership();
    gate.shareWith(membership.nodes().size());
    metrics.clusterMembers(joined.batch().nodeId(), () -> membership.nodes().size());
    ClusterMembers members = joined.members();
    if (members != null) {
      members.onChange(
          () -> {
            gate.shareWith(membership.nodes().size());
            takeover.membershipChanged();
          });
    }
  }

  /** The Vert.x instance, clustered or not, and the members and node id it runs with. */
  record Joined(
      Vertx vertx, Membership membership, @Nullable ClusterMembers members, BatchSettings batch) {}

  /** Starts Vert.x: alone, or joined to the cluster (then this node's id is settled there). */
  private static Joined join(PrometheusMetrics prometheus, SluiceConfig config) {
    VertxBuilder builder =
        prometheus.instrument(
            Vertx.builder(), new VertxOptions().setEventLoopPoolSize(config.eventLoops()));
    // Netty's epoll transport where it loads (Linux x86-64; -Dio.netty.transport.noNative=true
    // turns it off), else Java's NIO (docs/decisions.md, "Netty's epoll transport").
    if (Transport.EPOLL.available()) {
      builder.withTransport(Transport.EPOLL);
    } else {
      log.info("Network transport: Java NIO ({})", Transport.EPOLL.unavailabilityCause());
    }
    ClusterSettings cluster = config.cluster();
    if (!cluster.enabled()) {
      return new Joined(
          builder.build(), Membership.alone(config.batch().nodeId()), null, config.batch());
    }
    HazelcastClusterManager manager = ClusterMembers.manager(cluster, config.batch().leaseTtl());
    Vertx vertx = block(builder.withClusterManager(manager).buildClustered());
    try {
      ClusterMembers members =
          ClusterMembers.join(manager, config.batch().nodeId(), cluster.nodeIdGiven());
      return new Joined(vertx, members, members, config.batch().withNodeId(members.self()));
    } catch (RuntimeException e) {
      block(vertx.close());
      throw e;
    }
  }

  private static Generator generator(Vertx vertx, SluiceConfig config) {
    if (config.generator().equals("openai")) {
      return new OpenAiGenerator(vertx, config.openai(), config.batch().maxConcurrency());
    }
    return new SimulatedGenerator(vertx, config.simulated());
  }

  /**
   * Readiness: the database answers now (checked on every call, so readiness follows it down and
   * back up), the schema was migrated (before the server started, or Sluice would not be serving),
   * and start-up recovery has finished. In a cluster, the members this node sees are reported.
   */
  private static Health health(
      BatchReads reads, BatchSupervisor supervisor, Membership membership) {
    Health health =
        new Health()
            .check("database", reads::ping)
            .check("migrations", () -> Future.succeededFuture())
            .check(
                "recovery",
                () ->
                    supervisor.recovered()
                        ? Future.succeededFuture()
                        : Future.failedFuture("recovery is still running"))
            .check("runners", supervisor::runnersCheck);
    if (!membership.clustered()) {
      return health.notApplicable("cluster", "this node runs alone; clustering is not enabled");
    }
    return health.check(
        "cluster",
        () -> {
          List<String> nodes = membership.nodes();
          return Future.succeededFuture(nodes.size() + " members: " + String.join(", ", nodes));
        });
  }

  static <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
  }

  public int port() {
    return port;
  }

  /** The management server's port, or -1 when there is none. */
  public int managementPort() {
    return managementPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The routes the HTTP server serves, in order (for tests that hold the API to its contract). */
  public List<Route> routes() {
    return routes;
  }

  /**
   * Stops abruptly, as a crash would: the database connections go first, so nothing more is
   * written.
   */
  public void halt() {
    supervisor.close();
    block(pools.close());
    block(vertx.close());
    database.close();
  }

  /**
   * Stops gracefully (SIGTERM): nothing more is dispatched, items in flight get the grace period to
   * finish and be stored, the leases are released for other nodes to claim at once, then Vert.x
   * leaves the cluster and closes.
   */
  public void shutdown() {
    try {
      block(
          handover
              .handOver(grace)
              .timeout(grace.toMillis() + SHUTDOWN_SLACK_MS, TimeUnit.MILLISECONDS));
    } catch (RuntimeException e) {
      log.warn("Handing the batches over failed; their leases run out instead: {}", e.getMessage());
    }
    close();
  }

  @Override
  public void close() {
    supervisor.close();
    block(vertx.close());
    database.close();
  }
}
