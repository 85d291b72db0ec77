package dev.sluice.app;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import dev.sluice.batch.Membership;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The members of a Sluice cluster on Hazelcast: the Hazelcast configuration built from the
 * settings, and which Sluice node id each live member has. Each member writes its node id into a
 * cluster map under its Hazelcast member id once it has joined; every member keeps a copy, and
 * learns through Hazelcast's membership events when one leaves.
 */
final class ClusterMembers implements Membership {

  private static final String NODE_IDS = "sluice.nodes";

  private final HazelcastInstance hazelcast;
  private final String self;
  private final Map<String, String> ids = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private ClusterMembers(HazelcastInstance hazelcast, String self) {
    this.hazelcast = hazelcast;
    this.self = self;
  }

  /** The cluster manager Vert.x joins with; nothing of Hazelcast runs before Vert.x starts it. */
  static HazelcastClusterManager manager(ClusterSettings settings, Duration lease) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Sluice leaves the cluster itself, after it has handed its batches over (Sluice#shutdown).
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    // Sluice's own metrics say what an operator needs; Hazelcast's collection, JMX beans and
    // health log cost every member CPU all the time for numbers nobody reads.
    config.getMetricsConfig().setEnabled(false);
    config.setProperty("hazelcast.health.monitoring.level", "OFF");
    // A member silent for a lease is dropped: its batches are claimed by then anyway, and until it
    // is dropped the event bus waits on it for the registrations it holds.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Long.toString(Math.max(5, lease.toSeconds())));
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface(settings.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!settings.kubernetesService().isEmpty()) {
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", settings.kubernetesService());
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
    }
    return new HazelcastClusterManager(config);
  }

  /**
   * Registers this node under {@code wanted}, or, when another live member already has that name
   * and it was not given explicitly, under the name with a generated suffix.
   */
  static ClusterMembers join(HazelcastClusterManager manager, String wanted, boolean given) {
    HazelcastInstance hz = manager.getHazelcastInstance();
    IMap<String, String> map = hz.getMap(NODE_IDS);
    String me = hz.getCluster().getLocalMember().getUuid().toString();
    Set<String> taken = live(hz, map);
    String id = wanted;
    if (taken.contains(wanted)) {
      if (given) {
        throw new ConfigException(
            "Setting node.id (SLUICE_NODE_ID) is '"
                + wanted
                + "', and a live member of the cluster already has that name; give each node its"
                + " own.");
      }
      id = wanted + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    }
    ClusterMembers members = new ClusterMembers(hz, id);
    map.addEntryListener(members.new Copy(), true);
    hz.getCluster().addMembershipListener(members.new Departures(map));
    map.put(me, id);
    members.ids.putAll(map);
    // A member the others dropped (it was frozen or cut off) joins again after the split heals,
    // possibly under a new member id: it writes its node id again.
    hz.getLifecycleService()
        .addLifecycleListener(
            event -> {
              if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                map.putAsync(hz.getCluster().getLocalMember().getUuid().toString(), members.self);
              }
            });
    return members;
  }

  private static Set<String> live(HazelcastInstance hz, IMap<String, String> map) {
    return hz.getCluster().getMembers().stream()
        .map(m -> map.get(m.getUuid().toString()))
        .filter(java.util.Objects::nonNull)
        .collect(Collectors.toSet());
  }

  /** This node's id in the cluster (the configured one, or that with a suffix). */
  String self() {
    return self;
  }

  /** Runs {@code listener} (on a Hazelcast thread) whenever a member joins or leaves. */
  void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public List<String> nodes() {
    return hazelcast.getCluster().getMembers().stream()
        .map(m -> ids.get(m.getUuid().toString()))
        .filter(java.util.Objects::nonNull)
        .sorted()
        .distinct()
        .toList();
  }

  @Override
  public boolean complete() {
    Set<Member> members = hazelcast.getCluster().getMembers();
    return members.stream().allMatch(m -> ids.containsKey(m.getUuid().toString()));
  }

  @Override
  public boolean clustered() {
    return true;
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }

  /** Keeps the local copy of the node ids. */
  private final class Copy
      implements EntryAddedListener<String, String>, EntryRemovedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      ids.put(event.getKey(), event.getValue());
      changed();
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      ids.remove(event.getKey());
    }
  }

  /** A member that leaves: its entry goes, and its batches are taken over. */
  private final class Departures implements MembershipListener {
    private final IMap<String, String> map;

    Departures(IMap<String, String> map) {
      this.map = map;
    }

    @Override
    public void memberAdded(MembershipEvent event) {
      changed();
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      map.removeAsync(event.getMember().getUuid().toString());
      changed();
    }
  }
}
