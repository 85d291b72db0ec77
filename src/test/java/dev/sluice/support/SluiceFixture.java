package dev.sluice.support;

import dev.sluice.app.Sluice;
import dev.sluice.app.SluiceConfig;
import dev.sluice.generate.Generator;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Sluice for a test class: a fresh database of its own, Sluice on a free loopback port with the
 * settings the class names (environment variable names to values, as an operator sets them), and a
 * client; all stopped and dropped after the class. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SluiceFixture sluice = SluiceFixture.withSettings("SLUICE_SIMULATED_LATENCY_MS", "20");
 * }</pre>
 *
 * Without a PostgreSQL the tests may use, the class is skipped with the reason (see {@link
 * TestDatabase}).
 */
public final class SluiceFixture implements BeforeAllCallback, AfterAllCallback {

  private final String[] settings;
  private final List<Runnable> beforeClose = new ArrayList<>();
  private BiFunction<Vertx, SluiceConfig, Generator> generators;
  private TestDatabase db;
  private SluiceConfig config;
  private Sluice sluice;
  private Api api;

  private SluiceFixture(String[] settings) {
    this.settings = settings.clone();
  }

  /** A Sluice with the simulated generator and these settings over the test defaults. */
  public static SluiceFixture withSettings(String... settings) {
    return new SluiceFixture(settings);
  }

  /** Runs items through this generator instead of the configured one. */
  public SluiceFixture generator(Function<Vertx, Generator> generator) {
    this.generators = (vertx, config) -> generator.apply(vertx);
    return this;
  }

  /** Runs items through a generator made from the Vert.x instance and the settings. */
  public SluiceFixture generator(BiFunction<Vertx, SluiceConfig, Generator> generator) {
    this.generators = generator;
    return this;
  }

  /** Runs this before Sluice stops (release a held generator, say). */
  public SluiceFixture beforeClose(Runnable action) {
    beforeClose.add(action);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    db = TestDatabase.create(context.getRequiredTestClass());
    config = TestConfig.of(db, settings);
    BiFunction<Vertx, SluiceConfig, Generator> chosen = generators;
    sluice =
        chosen == null ? Sluice.start(config) : Sluice.start(config, v -> chosen.apply(v, config));
    api = new Api(sluice.port());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      beforeClose.forEach(Runnable::run);
      if (sluice != null) {
        sluice.close();
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  public Api api() {
    return api;
  }

  public TestDatabase db() {
    return db;
  }

  public SluiceConfig config() {
    return config;
  }

  public Sluice sluice() {
    return sluice;
  }

  public int port() {
    return sluice.port();
  }
}
