package dev.sluice.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/** An expired batch in Chromium: its badge, its deadline, and the list's filter for it. */
@DisplayName("The web UI shows expired batches")
class ExpiredBatchBrowserTest {

  @RegisterExtension
  static final BrowserFixture web =
      BrowserFixture.on(
          SluiceFixture.withSettings(
              "SLUICE_SIMULATED_LATENCY_MS", "60", "SLUICE_SIMULATED_FAILURE_RATE", "0"));

  private final Browser browser = web.browser();
  private final Api api = web.api();

  @Test
  @DisplayName(
      "A batch whose window passed reads Expired on its page, with its deadline, and the list"
          + " filters it by that status")
  void expiredBatch() {
    String expired =
        api.createBatch(Api.batchBody("Out of time", 100, 1).put("completionWindow", "1s"));
    String done = api.createBatch(Api.batchBody("In time", 1, 1));
    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(expired).equals("expired"));
    await().atMost(Duration.ofSeconds(20)).until(() -> api.status(done).equals("completed"));

    browser.open("#/batches/" + expired);
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBe(By.cssSelector("[data-testid=batch-status]"), "Expired"));
    assertThat(browser.find("[data-testid=batch-status]").getAttribute("class"))
        .contains("status-expired");
    assertThat(browser.find("[data-testid=status-reason]").getText()).contains("deadline_passed");
    assertThat(browser.driver().getPageSource()).contains("Deadline");

    browser.open("#/");
    browser.waiting().until(d -> !browser.findAll("[data-batch='" + done + "']").isEmpty());
    new Select(browser.find("[data-testid=status-filter]")).selectByValue("expired");
    browser.waiting().until(d -> browser.findAll("[data-batch='" + done + "']").isEmpty());
    assertThat(browser.findAll("[data-batch='" + expired + "']")).hasSize(1);
  }
}
