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

  private final SluiceFixture sluice;
  private Browser browser;

  private BrowserFixture(SluiceFixture sluice) {
    this.sluice = sluice;
  }

  static BrowserFixture on(SluiceFixture sluice) {
    return new BrowserFixture(sluice);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (Browser.missing() == null) {
      sluice.beforeAll(context);
      browser = Browser.start(sluice.port());
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

  Api api() {
    return sluice.api();
  }

  SluiceFixture sluice() {
    return sluice;
  }
}
