package dev.sluice.app;

import dev.sluice.auth.AuthSettings;
import dev.sluice.batch.BatchSettings;
import dev.sluice.generate.GateSettings;
import dev.sluice.generate.OpenAiSettings;
import dev.sluice.generate.SimulatedSettings;
import dev.sluice.http.HttpSettings;
import dev.sluice.observe.LogFormat;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Every setting of one Sluice process, read and checked once at start-up. {@code eventLoops} is the
 * number of Vert.x event loops the node runs on, {@code node.event-loops} or, when that is 0, two
 * per CPU core.
 */
public record SluiceConfig(
    HttpSettings http,
    @Nullable String databaseUrl,
    int databasePoolSize,
    int databaseRequestPoolSize,
    Path dataDir,
    String generator,
    SimulatedSettings simulated,
    OpenAiSettings openai,
    GateSettings provider,
    BatchSettings batch,
    LogFormat logFormat,
    ClusterSettings cluster,
    Duration shutdownGrace,
    AuthSettings auth,
    ManagementSettings management,
    int eventLoops) {

  /** The same settings with another database URL (used by tests and tools). */
  public SluiceConfig withDatabaseUrl(String url) {
    return new SluiceConfig(
        http,
        url,
        databasePoolSize,
        databaseRequestPoolSize,
        dataDir,
        generator,
        simulated,
        openai,
        provider,
        batch,
        logFormat,
        cluster,
        shutdownGrace,
        auth,
        management,
        eventLoops);
  }
}
