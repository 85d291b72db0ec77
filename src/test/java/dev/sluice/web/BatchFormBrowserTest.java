package dev.sluice.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The web UI in Chromium against a Sluice running the simulated generator slowly enough to watch:
 * the new-batch form, the API's field errors shown in place, the batch list, and progress that
 * moves without a reload.
 */
@DisplayName("The web UI creates batches from its form and shows them progressing live.")
class BatchFormBrowserTest {

  @RegisterExtension
  static final BrowserFixture web =
      BrowserFixture.signedIn(
          SluiceFixture.withSettings(
              "SLUICE_ADMIN_KEY",
              BrowserFixture.ADMIN_KEY,
              "SLUICE_SIMULATED_LATENCY_MS",
              "120",
              "SLUICE_SIMULATED_FAILURE_RATE",
              "0"));

  private static final int PROGRESS_ITEMS = 120;

  private final Browser browser = web.browser();
  private final Api api = web.api();

  @Test
  @DisplayName(
      "A batch made from a template and a pasted CSV table is counted before it is sent, created, opened and run to the end.")
  void createsABatchFromTheForm() {
    browser.open("#/new");
    browser.waiting().until(d -> browser.find("[name=name]").isDisplayed());
    browser.find("[name=name]").sendKeys("Cell biology, unit 3");
    WebElement concurrency = browser.find("[name=concurrency]");
    concurrency.clear();
    concurrency.sendKeys("2");
    browser.find("[name=template]").sendKeys("Write one exam question about {{topic}}.");
    browser
        .find("[name=csv]")
        .sendKeys("id,topic\nq1,mitosis\nq2,osmosis\nq3,\"ribosomes, and what they make\"\n");
    assertThat(browser.find("[data-testid=item-count]").getText())
        .isEqualTo("3 items will be created.");
    browser.screenshotAtPhoneWidth("BatchFormBrowserTest-form-375px");

    browser.find("button[type=submit]").click();

    browser.waiting().until(ExpectedConditions.urlContains("#/batches/"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBe(
                org.openqa.selenium.By.cssSelector("[data-testid=batch-name]"),
                "Cell biology, unit 3"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBe(
                org.openqa.selenium.By.cssSelector("[data-testid=batch-status]"), "Completed"));
    browser.waiting().until(d -> browser.findAll("[data-testid=items-table] tbody tr").size() == 3);
    String id = browser.driver().getCurrentUrl().replaceAll(".*#/batches/", "");
    assertThat(api.batch(id).getJsonObject("counts").getInteger("succeeded")).isEqualTo(3);
    assertThat(api.items(id).get(2).getJsonObject("input").getJsonObject("vars").getString("topic"))
        .isEqualTo("ribosomes, and what they make");

    browser.open("#/");
    browser.waiting().until(d -> !browser.findAll("[data-batch='" + id + "']").isEmpty());
    assertThat(browser.find("[data-batch='" + id + "'] [data-testid=batch-status]").getText())
        .isEqualTo("Completed");
  }

  @Test
  @DisplayName(
      "A field the API refuses (a placeholder with no column) is named next to the items, with its line.")
  void showsApiValidationErrorsNextToTheField() {
    browser.open("#/new");
    browser.waiting().until(d -> browser.find("[name=name]").isDisplayed());
    browser.find("[name=name]").sendKeys("Missing column");
    browser.find("[name=template]").sendKeys("Write one exam question about {{topic}}.");
    browser.find("[name=csv]").sendKeys("subject\nmitosis\nosmosis\n");
    browser.find("button[type=submit]").click();

    WebElement error =
        browser
            .waiting()
            .until(ExpectedConditions.visibilityOf(browser.find("[data-error-for=csv]")));
    assertThat(error.getText()).contains("Line 2").contains("column \"topic\"").contains("missing");
    assertThat(browser.find("[name=csv]").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.find("[name=csv]").getAttribute("aria-describedby"))
        .contains(error.getAttribute("id"));
    assertThat(browser.driver().getCurrentUrl()).endsWith("#/new");

    browser.find("[name=name]").clear();
    browser.find("[name=csv]").clear();
    browser.find("[name=csv]").sendKeys("topic\nmitosis\n");
    browser.find("button[type=submit]").click();
    WebElement nameError =
        browser
            .waiting()
            .until(ExpectedConditions.visibilityOf(browser.find("[data-error-for=name]")));
    assertThat(nameError.getText()).isNotBlank();
    assertThat(browser.driver().switchTo().activeElement().getAttribute("name")).isEqualTo("name");
  }

  @Test
  @DisplayName("The progress bar and the numbers move as items finish, without reloading the page.")
  void progressMovesWithoutAReload() {
    // Long enough (about 7 s at 120 ms and two at a time) for a page loaded on a busy machine to
    // see it midway.
    String id = api.createBatch(Api.batchBody("Progress check", PROGRESS_ITEMS, 2));
    browser.open("#/batches/" + id);
    browser
        .waiting()
        .until(d -> "Running".equals(browser.find("[data-testid=batch-status]").getText()));
    browser.script("window.__sameDocument = true;");
    browser.waiting().until(d -> succeeded() > 0 && succeeded() < PROGRESS_ITEMS);
    String widthMidway = browser.find("[data-segment=succeeded]").getAttribute("style");
    browser.screenshot("BatchFormBrowserTest-progress-midway");
    browser.screenshotAtPhoneWidth("BatchFormBrowserTest-progress-375px");

    browser
        .waiting()
        .until(d -> "Completed".equals(browser.find("[data-testid=batch-status]").getText()));
    assertThat(succeeded()).isEqualTo(PROGRESS_ITEMS);
    assertThat(browser.find("[data-segment=succeeded]").getAttribute("style"))
        .isNotEqualTo(widthMidway)
        .contains("width: 100%");
    assertThat(browser.script("return window.__sameDocument === true;")).isEqualTo(true);
    assertThat(browser.find("[data-testid=live-mode]").getText()).isEqualTo("Live");
  }

  @Test
  @DisplayName("The batch list filters by status, newest first, and reads well at 375 px.")
  void listFiltersByStatus() {
    String done = api.createBatch(Api.batchBody("Finished quickly", 2, 2));
    org.awaitility.Awaitility.await().until(() -> api.status(done).equals("completed"));
    String paused = api.createBatch(Api.batchBody("Held for review", 40, 1));
    api.control(paused, "pause");

    browser.open("#/");
    browser.waiting().until(d -> !browser.findAll("[data-batch='" + paused + "']").isEmpty());
    java.util.List<String> order =
        browser.findAll("[data-batch]").stream().map(e -> e.getAttribute("data-batch")).toList();
    assertThat(order.indexOf(paused)).isLessThan(order.indexOf(done));

    new org.openqa.selenium.support.ui.Select(browser.find("[data-testid=status-filter]"))
        .selectByValue("paused");
    browser.waiting().until(d -> browser.findAll("[data-batch='" + done + "']").isEmpty());
    assertThat(browser.findAll("[data-batch]"))
        .allSatisfy(
            card ->
                assertThat(
                        card.findElement(
                                org.openqa.selenium.By.cssSelector("[data-testid=batch-status]"))
                            .getText())
                    .isEqualTo("Paused"));
    assertThat(browser.findAll("[data-batch='" + paused + "']")).hasSize(1);
    browser.screenshotAtPhoneWidth("BatchFormBrowserTest-list-375px");
  }

  private int succeeded() {
    return Integer.parseInt(browser.find("[data-count=succeeded]").getText().replaceAll("\\D", ""));
  }
}
