package dev.sluice.web;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Sluice (see {@link SluiceFixture}) with a headless Chromium pointed at it, for one browser test
 * class; each test leaves a screenshot under {@code target/screenshots}. Without Chromium nothing
 * starts and every test is reported skipped, with the reason ({@link Browser#missing}).
 */
final class BrowserFixture
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  /**
   * The operator's admin key of a Sluice {@link #signedIn} starts, and the key the page signs in
   * with.
   */
  static final String ADMIN_KEY = "sk-sluice-browser-tests-operator-key-0123";

  private final SluiceFixture sluice;
  private final boolean signedIn;
  private Browser browser;

  private BrowserFixture(SluiceFixture sluice, boolean signedIn) {
    this.sluice = sluice;
    this.signedIn = signedIn;
  }

  static BrowserFixture on(SluiceFixture sluice) {
    return new BrowserFixture(sluice, false);
  }

  /**
   * A Sluice with authentication on ({@link #ADMIN_KEY}; give the fixture that setting), whose page
   * is signed in through its sign-in form before the first test.
   */
  static BrowserFixture signedIn(SluiceFixture sluice) {
    return new BrowserFixture(sluice, true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (Browser.missing() == null) {
      sluice.beforeAll(context);
      browser = Browser.start(sluice.port());
      if (signedIn) {
        browser.signIn(ADMIN_KEY);
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    String missing = Browser.missing();
    Assumptions.assumeTrue(missing == null, missing);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (browser != null) {
      browser.screenshot(
          context.getRequiredTestClass().getSimpleName()
              + "-"
              + context.getRequiredTestMethod().getName());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (browser != null || Browser.missing() == null) {
        sluice.afterAll(context);
      }
    }
  }

  Browser browser() {
    return browser;
  }

  /** The API client (the admin's, when signed in); null when Chromium is missing. */
  Api api() {
    Api api = sluice.api();
    return api != null && signedIn ? api.as(ADMIN_KEY) : api;
  }

  SluiceFixture sluice() {
    return sluice;
  }
}
