package dev.sluice.support;

import dev.sluice.app.Settings;
import dev.sluice.app.SluiceConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Settings for a Sluice under test: loopback, a free port, the given database and overrides. */
public final class TestConfig {

  private TestConfig() {}

  /** Overrides are environment variable names to values, as an operator would set them. */
  public static SluiceConfig of(TestDatabase db, String... overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", db.url().toString());
    env.put("SLUICE_HTTP_HOST", "127.0.0.1");
    env.put("SLUICE_HTTP_PORT", "0");
    env.put("SLUICE_NODE_ID", "test-node");
    env.put("SLUICE_BATCH_RETRY_BACKOFF_MS", "20");
    env.put("SLUICE_BATCH_RETRY_BACKOFF_MAX_MS", "200");
    for (int i = 0; i + 1 < overrides.length; i += 2) {
      env.put(overrides[i], overrides[i + 1]);
    }
    return Settings.load(List.of(), env);
  }
}
