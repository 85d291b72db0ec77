package dev.sluice.bench.faults;

import dev.sluice.bench.OperatorSettings;
import dev.sluice.bench.SluiceProcess;
import dev.sluice.support.TestDatabase;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every part shares: the flags, the report, the jar and where child logs go, and the list of
 * things to undo. Child processes and databases made here are undone at the end of the part.
 */
record Context(Options options, Report report, Path jar, Path logs, Resources resources) {

  /** A fresh database on the shared PostgreSQL (127.0.0.1:5432 or SLUICE_TEST_ADMIN_URL). */
  TestDatabase database() {
    TestDatabase db = TestDatabase.create(FaultHarness.class);
    return resources.add(db, db::close);
  }

  /**
   * Spawns the jar with these settings on loopback; killed at the end of the part at the latest.
   */
  SluiceProcess spawn(String logName, Map<String, String> settings) {
    SluiceProcess p = SluiceProcess.spawn(jar, logs.resolve(logName + ".log"), settings);
    return resources.add(p, p::kill);
  }

  /** The settings every child gets: its database, a fixed node id, the simulated generator. */
  static Map<String, String> settings(String databaseUrl, int latencyMs, double failureRate) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("DATABASE_URL", databaseUrl);
    m.put("SLUICE_NODE_ID", "faults-node");
    m.put("SLUICE_SIMULATED_LATENCY_MS", Integer.toString(latencyMs));
    m.put("SLUICE_SIMULATED_FAILURE_RATE", Double.toString(failureRate));
    m.put("SLUICE_BATCH_RETRY_BACKOFF_MS", "20");
    m.put("SLUICE_BATCH_RETRY_BACKOFF_MAX_MS", "200");
    return OperatorSettings.over(m);
  }

  /** A child's database URL, password included (the child needs it). */
  static String url(TestDatabase db) {
    return db.url().toString();
  }
}
