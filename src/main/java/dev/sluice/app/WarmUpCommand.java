package dev.sluice.app;

import dev.sluice.auth.KeyHasher;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * {@code java -XX:ArchiveClassesAtExit=sluice.jsa -jar sluice.jar warm-up}: runs Sluice once on a
 * private, throw-away database and uses it as a client would (create, pause, resume, cancel,
 * retry-failed, read, stream, a restart that recovers a paused batch), then stops. Run under that
 * JVM flag, the classes this loaded are written to a class-data archive at exit, and every later
 * start given {@code -XX:SharedArchiveFile=sluice.jsa} maps them instead of loading them, which is
 * most of a start's time (docs/decisions.md, "A class-data archive made at build time").
 *
 * <p>The database is never the one the settings name: as any user but root, an embedded PostgreSQL
 * in a temporary folder; as root (PostgreSQL refuses to run as root), a scratch database on the
 * server at localhost:5432, dropped at the end. Nothing of the operator's data is read or written.
 */
public final class WarmUpCommand {

  private static final String FLAG = "-XX:ArchiveClassesAtExit";

  private final PrintStream out;
  private final PrintStream err;

  private WarmUpCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the warm-up; the exit status is 0 when every step answered as expected, else 1. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (!args.isEmpty()) {
      err.println("usage: sluice warm-up (takes no arguments)");
      return 2;
    }
    return new WarmUpCommand(out, err).run();
  }

  private int run() {
    if (ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .noneMatch(a -> a.startsWith(FLAG + "="))) {
      out.println(
          "sluice warm-up: this JVM was not started with "
              + FLAG
              + "=FILE, so no class-data archive will be written; it runs anyway.");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("sluice-warm-up");
    } catch (IOException e) {
      err.println("sluice warm-up: no temporary folder: " + e.getMessage());
      return 1;
    }
    @Nullable String scratch = null;
    try {
      scratch = Database.asRoot() ? scratchDatabase() : null;
      Map<String, String> env = settings(dir, scratch);
      new WarmUpSession(out).run(() -> Sluice.start(Settings.load(List.of(), env)), env);
      out.println("sluice warm-up: done");
      return 0;
    } catch (ConfigException e) {
      err.println("sluice warm-up: " + e.getMessage());
      return 1;
    } catch (RuntimeException | IOException e) {
      err.println("sluice warm-up failed: " + e);
      return 1;
    } finally {
      if (scratch != null) {
        drop(scratch);
      }
      deleteTree(dir);
    }
  }

  /**
   * The warm-up's settings: the shipped defaults, with authentication on (an admin key made for
   * this run), free ports, a simulated generator of 20 ms that fails some attempts, and the scratch
   * database (or, when there is none, an embedded one under the temporary folder).
   */
  static Map<String, String> settings(Path dir, @Nullable String databaseName) {
    Map<String, String> env = new HashMap<>();
    env.put("SLUICE_HTTP_HOST", "127.0.0.1");
    env.put("SLUICE_HTTP_PORT", "0");
    env.put("SLUICE_MANAGEMENT_HOST", "127.0.0.1");
    env.put("SLUICE_MANAGEMENT_PORT", "0");
    env.put("SLUICE_ADMIN_KEY", KeyHasher.newKey());
    env.put("SLUICE_KEY_SECRET", KeyHasher.newKey());
    // Slow enough (60 items at concurrency 4 take 0.15 s at the very least) that a batch still runs
    // when the pause or cancel sent right after its create arrives.
    env.put("SLUICE_SIMULATED_LATENCY_MS", "20");
    env.put("SLUICE_SIMULATED_FAILURE_RATE", "0.1");
    env.put("SLUICE_SHUTDOWN_GRACE_MS", "2000");
    env.put("SLUICE_NODE_ID", "warm-up");
    env.put("SLUICE_DATA_DIR", dir.toString());
    // Clustered, as the Kubernetes deployment runs, so Hazelcast's classes are loaded too; alone,
    // on loopback, under a cluster name no real cluster has, so it never joins one.
    env.put("SLUICE_CLUSTER", "true");
    env.put("SLUICE_CLUSTER_NAME", "sluice-warm-up-" + ProcessHandle.current().pid());
    env.put("SLUICE_CLUSTER_HOST", "127.0.0.1");
    env.put("SLUICE_CLUSTER_MEMBERS", "");
    if (databaseName != null) {
      env.put("DATABASE_URL", Database.LOCAL.withDatabase(databaseName).toString());
    }
    return env;
  }

  private String scratchDatabase() {
    if (!Database.answers(Database.LOCAL)) {
      throw new ConfigException(
          "running as root, where PostgreSQL cannot be embedded, and no server answers on"
              + " localhost:5432 for a scratch database; run the warm-up as another user.");
    }
    String name = "sluice_warm_up_" + ProcessHandle.current().pid();
    drop(name);
    Database.ensureDatabase(Database.LOCAL, name);
    out.println("sluice warm-up: using a scratch database " + name + " on localhost:5432");
    return name;
  }

  private void drop(String name) {
    try (Connection c = Database.connect(Database.LOCAL);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    } catch (SQLException e) {
      err.println("sluice warm-up: the scratch database " + name + " was not dropped: " + e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary folder left behind is harmless.
    }
  }
}
