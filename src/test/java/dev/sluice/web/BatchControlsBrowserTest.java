package dev.sluice.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * BatchControls and CancelConfirmDialog in Chromium, against a Sluice whose generator holds every
 * item in flight until the test releases it, so each state is reached on purpose.
 */
@DisplayName("The batch page's controls pause, resume, cancel and retry exactly as the API allows.")
class BatchControlsBrowserTest {

  private static final String FAIL = "FAIL-ME";
  private static final List<String> COMMANDS = List.of("pause", "resume", "cancel", "retry-failed");

  private static final GatedGenerator generator = new GatedGenerator().failWhenPromptContains(FAIL);

  @RegisterExtension
  static final BrowserFixture web =
      BrowserFixture.signedIn(
          SluiceFixture.withSettings(
                  "SLUICE_ADMIN_KEY",
                  BrowserFixture.ADMIN_KEY,
                  "SLUICE_BATCH_DEFAULT_MAX_ATTEMPTS",
                  "1")
              .generator(v -> generator)
              .beforeClose(generator::releaseAll));

  private final Browser browser = web.browser();
  private final Api api = web.api();

  @Test
  @DisplayName(
      "Pause makes the batch paused with Resume enabled and Pause disabled; Resume makes it running again.")
  void pauseAndResume() {
    String id = api.createBatch(Api.batchBody("Pause and resume", 6, 2));
    openRunning(id);
    assertEnabled("pause", "cancel");

    button("pause").click();
    waitForStatus("Paused");
    assertEnabled("resume", "cancel");
    assertThat(api.status(id)).isEqualTo("paused");
    browser.screenshot("BatchControlsBrowserTest-paused");

    button("resume").click();
    waitForStatus("Running");
    assertEnabled("pause", "cancel");
    assertThat(api.status(id)).isEqualTo("running");
  }

  @Test
  @DisplayName(
      "Cancel asks first: Escape keeps the batch running; confirming cancels it, disables every control, and finished items stay listed.")
  void cancelAsksFirst() {
    String id = api.createBatch(Api.batchBody("Cancel with care", 8, 2));
    openRunning(id);
    browser.waiting().until(d -> generator.inFlight(id) == 2);
    generator.release(id);
    browser.waiting().until(d -> api.counts(id).getInteger("succeeded") == 2);
    browser.waiting().until(d -> generator.inFlight(id) == 2);
    browser.waiting().until(d -> legend("succeeded") == 2 && legend("inProgress") == 2);

    button("cancel").click();
    WebElement dialog = browser.find("dialog");
    browser.waiting().until(d -> dialog.isDisplayed());
    assertThat(dialog.getText())
        .contains("cannot be undone")
        .contains("2 finished items will be kept")
        .contains("4 pending items will be cancelled")
        .contains("2 items in flight will still finish");
    WebElement focused = browser.driver().switchTo().activeElement();
    assertThat(focused.getText()).isEqualTo("Keep running");
    assertThat(browser.find("dialog .button-danger").getText()).isEqualTo("Cancel batch");
    browser.screenshot("BatchControlsBrowserTest-cancel-dialog");
    browser.screenshotAtPhoneWidth("BatchControlsBrowserTest-cancel-dialog-375px");

    focused.sendKeys(Keys.ESCAPE);
    browser.waiting().until(d -> !dialog.isDisplayed());
    assertThat(api.status(id)).isEqualTo("running");
    assertThat(browser.find("[data-testid=batch-status]").getText()).isEqualTo("Running");

    button("cancel").click();
    browser.waiting().until(d -> dialog.isDisplayed());
    browser.find("dialog .button-danger").click();
    waitForStatus("Cancelled");
    assertEnabled();
    assertThat(api.status(id)).isEqualTo("cancelled");

    generator.release(id); // the two in flight finish after the cancel and are kept
    browser.waiting().until(d -> rows("succeeded").size() == 4);
    assertThat(rows("cancelled")).hasSize(4);
    assertEnabled();
  }

  @Test
  @DisplayName("Retry failed, on a completed batch with failed items, runs only those again.")
  void retryFailed() {
    JsonObject body = Api.batchBody("Retry the failures", 3, 3);
    body.getJsonArray("items").getJsonObject(1).put("prompt", "Write a question. " + FAIL);
    String id = api.createBatch(body);
    browser.waiting().until(d -> generator.release(id) == 0 && api.status(id).equals("completed"));
    openOn(id);
    waitForStatus("Completed");
    assertThat(legend("failed")).isEqualTo(1);
    assertEnabled("retry-failed");

    generator.stopFailing(FAIL);
    button("retry-failed").click();
    waitForStatus("Running");
    assertEnabled("pause", "cancel");
    browser.waiting().until(d -> generator.release(id) == 0 && api.status(id).equals("completed"));
    waitForStatus("Completed");
    assertThat(legend("succeeded")).isEqualTo(3);
    assertThat(legend("failed")).isZero();
    assertEnabled();
    generator.failWhenPromptContains(FAIL);
  }

  @Test
  @DisplayName(
      "A command refused because the batch changed elsewhere shows why, and the page catches up.")
  void conflictIsShownAsAMessage() {
    String id = api.createBatch(Api.batchBody("Changed elsewhere", 6, 2));
    // Without its event stream the page polls; with the polls dropped too it cannot see the cancel.
    String batch = "/api/generation/batch/" + id;
    browser.blockPaths(batch + "/stream");
    openRunning(id);
    browser
        .waiting()
        .until(d -> browser.find("[data-testid=live-mode]").getText().startsWith("Updating every"));
    browser.blockPaths(batch + "/stream", batch);

    assertThat(api.control(id, "cancel").status()).isEqualTo(200);
    button("pause").click();

    WebElement message = browser.find("[data-testid=control-message]");
    browser.waiting().until(d -> message.isDisplayed() && !message.getText().isBlank());
    assertThat(message.getText()).contains("changed elsewhere").contains("cancelled");
    browser.blockPaths(batch + "/stream");
    waitForStatus("Cancelled");
    assertEnabled();
    assertThat(message.getText()).contains("changed elsewhere");
    browser.blockPaths();
  }

  @Test
  @DisplayName("An item whose output holds HTML is shown as text, never run as markup.")
  void itemTextIsNeverHtml() {
    String html = "<img src=x onerror=alert(1)>";
    JsonObject body =
        new JsonObject()
            .put("name", "<b>Not bold</b>")
            .put(
                "items",
                new JsonArray()
                    .add(new JsonObject().put("id", "<i>x</i>").put("prompt", "Echo " + html)));
    String id = api.createBatch(body);
    browser.waiting().until(d -> generator.release(id) == 0 && api.status(id).equals("completed"));
    openOn(id);
    waitForStatus("Completed");
    String row = "[data-item='<i>x</i>']";
    browser.waiting().until(d -> browser.find(row + " summary")).click();
    WebElement text =
        browser
            .waiting()
            .until(
                ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector(row + " [data-testid=result-text]")));
    assertThat(text.getText()).isEqualTo("Answer to: Echo " + html);
    assertThat(browser.find("[data-testid=batch-name]").getText()).isEqualTo("<b>Not bold</b>");
    assertThat(browser.findAll("main img, main b, main i")).isEmpty();
    assertThatThrownBy(() -> browser.driver().switchTo().alert())
        .isInstanceOf(NoAlertPresentException.class);
    browser.driver().manage().window().setSize(Browser.PHONE);
    browser.script("arguments[0].scrollIntoView()", browser.find(row));
    browser.screenshot("BatchControlsBrowserTest-item-text-375px");
    assertThat(browser.script("return document.querySelectorAll('[onerror]').length"))
        .isEqualTo(0L);
  }

  // ---------------------------------------------------------------------------------------------

  private void openOn(String id) {
    browser.open("#/batches/" + id);
  }

  private void openRunning(String id) {
    openOn(id);
    waitForStatus("Running");
  }

  private void waitForStatus(String label) {
    browser
        .waiting()
        .until(d -> label.equals(browser.find("[data-testid=batch-status]").getText()));
  }

  private WebElement button(String command) {
    return browser.find("[data-command='" + command + "']");
  }

  /** Waits until exactly these controls are enabled (none, when none are named). */
  private void assertEnabled(String... commands) {
    List<String> expected = List.of(commands);
    browser
        .waiting()
        .until(d -> COMMANDS.stream().allMatch(c -> button(c).isEnabled() == expected.contains(c)));
    Map<String, Boolean> shown = new java.util.TreeMap<>();
    COMMANDS.forEach(c -> shown.put(c, button(c).isEnabled()));
    assertThat(shown.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private int legend(String segment) {
    return Integer.parseInt(
        browser.find("[data-count=" + segment + "]").getText().replaceAll("\\D", ""));
  }

  private List<WebElement> rows(String status) {
    return browser.findAll("[data-testid=items-table] tbody tr[data-status=" + status + "]");
  }
}
