package dev.sluice.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Sluice processes started from the packaged jar for one test class: a fresh database of the
 * class's own, a work directory next to the jar named after the class (the processes' logs are
 * there), and every process a test launched ended after that test. Register it, or a fixture built
 * on it, on a static field. Without the jar, which {@code mvn verify} builds before the integration
 * tests, every test of the class is reported skipped with the reason.
 */
public class JarFixture
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private final List<JarProcess> processes = new ArrayList<>();
  private Path jar = Path.of("target", "sluice.jar");
  private Path workDir = Path.of("target");
  private @Nullable TestDatabase db;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    jar = Path.of(System.getProperty("sluice.jar", "target/sluice.jar")).toAbsolutePath();
    if (Files.isRegularFile(jar)) {
      Class<?> owner = context.getRequiredTestClass();
      workDir = jar.getParent().resolve("jar-its").resolve(owner.getSimpleName());
      Files.createDirectories(workDir);
      db = TestDatabase.create(owner);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Assumptions.assumeTrue(
        Files.isRegularFile(jar) && db != null,
        "This test runs the packaged jar, and "
            + jar
            + " does not exist;"
            + " run it through `mvn verify`, which builds the jar before the integration tests.");
  }

  @Override
  public void afterEach(ExtensionContext context) {
    processes.forEach(JarProcess::destroy);
    processes.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (db != null) {
      db.close();
      db = null;
    }
  }

  /**
   * The settings (environment variable names to values) a process of the class starts with, to add
   * to: the class's database, loopback on a port of Sluice's choosing, a data directory in the work
   * directory, and short retry back-offs.
   */
  public Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DATABASE_URL", database().url().toString());
    env.put("SLUICE_HTTP_HOST", "127.0.0.1");
    env.put("SLUICE_HTTP_PORT", "0");
    env.put("SLUICE_DATA_DIR", workDir.resolve("data").toString());
    env.put("SLUICE_BATCH_RETRY_BACKOFF_MS", "20");
    env.put("SLUICE_BATCH_RETRY_BACKOFF_MAX_MS", "200");
    return env;
  }

  /**
   * Starts the jar with only PATH, LANG and {@code env} set, its log in the work directory as
   * {@code sluice-<name>.log}; does not wait for it to be ready.
   */
  public JarProcess launch(String name, Map<String, String> env) {
    JarProcess process = JarProcess.launch(jar, workDir, name, env);
    processes.add(process);
    return process;
  }

  /** The class's database. */
  public TestDatabase database() {
    TestDatabase d = db;
    if (d == null) {
      throw new IllegalStateException("no test database");
    }
    return d;
  }
}
