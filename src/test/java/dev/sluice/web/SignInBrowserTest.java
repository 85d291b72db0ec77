package dev.sluice.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The page with authentication on: it asks for a key, refuses a wrong one, and follows a batch. */
@DisplayName("With authentication on, the page signs in with a key and refuses a wrong one")
class SignInBrowserTest {

  private static final GatedGenerator generator = new GatedGenerator();

  @RegisterExtension
  static final BrowserFixture web =
      BrowserFixture.on(
          SluiceFixture.withSettings("SLUICE_ADMIN_KEY", BrowserFixture.ADMIN_KEY)
              .generator(v -> generator)
              .beforeClose(generator::releaseAll));

  private final Browser browser = web.browser();

  @Test
  @DisplayName(
      "A wrong key is refused on the page with Sluice's reason; the right key opens the batches,"
          + " whose live view follows a pause made elsewhere")
  void wrongKeyThenRightKey() {
    Api admin = web.api().as(BrowserFixture.ADMIN_KEY);
    String id = admin.createBatch(Api.batchBody("Signed-in batch", 3, 1));
    browser.script("window.sessionStorage.clear()");
    browser.open("#/batches/" + id);
    browser.waiting().until(d -> !browser.findAll("input[name=credential]").isEmpty());

    browser.find("input[name=credential]").sendKeys("sk-sluice-this-key-was-never-made-000000");
    browser.find("form.sign-in button[type=submit]").click();
    browser
        .waiting()
        .until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid=sign-in-problem]")));
    assertThat(browser.find("[data-testid=sign-in-problem]").getText())
        .contains("Sluice refused this key", "unknown or was revoked");
    assertThat(browser.script("return window.sessionStorage.length")).isEqualTo(0L);
    browser.screenshot("SignInBrowserTest-refused");

    browser.find("input[name=credential]").clear();
    browser.signInWith(BrowserFixture.ADMIN_KEY);
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBe(
                By.cssSelector("[data-testid=batch-name]"), "Signed-in batch"));
    browser
        .waiting()
        .until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=live-mode]"), "Live"));
    assertThat(browser.driver().manage().getCookies()).isEmpty();

    assertThat(admin.control(id, "pause").status()).isEqualTo(200);
    browser
        .waiting()
        .until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=batch-status]"), "Paused"));
    admin.control(id, "cancel");

    browser.find("[data-testid=sign-out]").click();
    browser.waiting().until(d -> !browser.findAll("input[name=credential]").isEmpty());
    assertThat(browser.script("return window.sessionStorage.length")).isEqualTo(0L);
  }
}
