package dev.sluice.support;

import dev.sluice.app.DatabaseUrl;
import dev.sluice.app.Sluice;
import dev.sluice.app.SluiceConfig;
import dev.sluice.generate.Generator;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
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
  private boolean viaProxy;
  private TcpProxy proxy;
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

  /**
   * Routes Sluice's database connections through a {@link TcpProxy} the test can cut and restore,
   * as a database that goes away would.
   */
  public SluiceFixture throughProxy() {
    this.viaProxy = true;
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
    config = TestConfig.of(db, viaProxy ? proxied() : settings);
    BiFunction<Vertx, SluiceConfig, Generator> chosen = generators;
    sluice =
        chosen == null ? Sluice.start(config) : Sluice.start(config, v -> chosen.apply(v, config));
    api = new Api(sluice.port());
  }

  private String[] proxied() {
    DatabaseUrl direct = db.url();
    proxy = TcpProxy.start(direct.host(), direct.port());
    DatabaseUrl url =
        new DatabaseUrl(
            "127.0.0.1", proxy.port(), direct.database(), direct.user(), direct.password());
    String[] all = Arrays.copyOf(settings, settings.length + 2);
    all[settings.length] = "DATABASE_URL";
    all[settings.length + 1] = url.toString();
    return all;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      beforeClose.forEach(Runnable::run);
      if (sluice != null) {
        sluice.close();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
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

  /** The proxy between Sluice and its database, when {@link #throughProxy} asked for one. */
  public TcpProxy proxy() {
    return proxy;
  }

  public int port() {
    return sluice.port();
  }
}
