package dev.sluice.support;

import dev.sluice.app.Sluice;
import java.util.Arrays;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For each test: a fresh database, a real loopback OpenAI-compatible provider, and Sluice pointed
 * at it ({@code SLUICE_GENERATOR=openai}) with the class's settings and those the test starts it
 * with; all stopped after the test. Register it on an instance field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final ProviderSluice fixture = ProviderSluice.withSettings("SLUICE_OPENAI_TIMEOUT_MS", "500");
 * }</pre>
 */
public final class ProviderSluice implements BeforeEachCallback, AfterEachCallback {

  private final String[] settings;
  private int latency;
  private TestDatabase db;
  private OpenAiTestServer provider;
  private Sluice sluice;
  private String[] overrides = {};

  private ProviderSluice(String[] settings) {
    this.settings = settings.clone();
  }

  /** Settings over the provider's (generator, base URL, model) for every test of the class. */
  public static ProviderSluice withSettings(String... settings) {
    return new ProviderSluice(settings);
  }

  /** The provider answers after this many milliseconds. */
  public ProviderSluice latency(int millis) {
    this.latency = millis;
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    db = TestDatabase.create(context.getRequiredTestClass());
    provider = new OpenAiTestServer().latency(latency);
  }

  /** Starts Sluice with these settings over the class's; returns its client. */
  public Api start(String... testSettings) {
    this.overrides = testSettings.clone();
    return restart();
  }

  /** Starts Sluice again on the same database and provider, with the same settings. */
  public Api restart() {
    String[] base = {
      "SLUICE_GENERATOR", "openai",
      "SLUICE_OPENAI_BASE_URL", provider.baseUrl(),
      "SLUICE_OPENAI_MODEL", "gpt-test"
    };
    String[] all = Arrays.copyOf(base, base.length + settings.length + overrides.length);
    System.arraycopy(settings, 0, all, base.length, settings.length);
    System.arraycopy(overrides, 0, all, base.length + settings.length, overrides.length);
    sluice = Sluice.start(TestConfig.of(db, all));
    return new Api(sluice.port());
  }

  /** Stops Sluice cleanly (a restart follows). */
  public void stop() {
    sluice.close();
    sluice = null;
  }

  /** Stops Sluice as a crash would (a restart follows). */
  public void halt() {
    sluice.halt();
    sluice = null;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      if (sluice != null) {
        sluice.close();
      }
      if (provider != null) {
        provider.close();
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  public OpenAiTestServer provider() {
    return provider;
  }

  public TestDatabase db() {
    return db;
  }

  public int port() {
    return sluice.port();
  }
}
