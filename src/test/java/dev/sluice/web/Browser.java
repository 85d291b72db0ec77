package dev.sluice.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Debian's chromedriver, with a fresh profile, for tests of
 * the web UI. Where either is missing, {@link #start} skips the calling tests with the reason.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final Dimension DESKTOP = new Dimension(1280, 900);
  static final Dimension PHONE = new Dimension(375, 812);

  private final ChromeDriver driver;
  private final Path profile;
  private final String base;

  private Browser(ChromeDriver driver, Path profile, String base) {
    this.driver = driver;
    this.profile = profile;
    this.base = base;
  }

  /**
   * Why the browser tests cannot run here, or null when Chromium and chromedriver are installed.
   */
  static @Nullable String missing() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)
        ? null
        : "Browser tests need Debian's Chromium and chromedriver at "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + " (apt-get install chromium chromium-driver; .ci/run installs them).";
  }

  /** Starts Chromium for a Sluice on this port, or skips the tests when it is not installed. */
  static Browser start(int port) {
    String missing = missing();
    Assumptions.assumeTrue(missing == null, missing);
    try {
      Path profile = Files.createTempDirectory("sluice-chromium-");
      ChromeOptions options =
          new ChromeOptions()
              .setBinary(CHROMIUM.toFile())
              .addArguments(
                  "--headless=new",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-dev-shm-usage",
                  "--disable-background-networking",
                  "--disable-component-update",
                  "--disable-sync",
                  "--disable-quic",
                  "--no-first-run",
                  "--window-size=" + DESKTOP.width + "," + DESKTOP.height,
                  "--user-data-dir=" + profile);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
      return new Browser(driver, profile, "http://127.0.0.1:" + port + "/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Loads the UI afresh at a route, e.g. {@code #/new}, at desktop size. */
  void open(String route) {
    driver.manage().window().setSize(DESKTOP);
    driver.get("about:blank"); // a new document even when only the fragment would differ
    driver.get(base + route);
  }

  /**
   * Opens the page, which asks for credentials when Sluice requires them, and signs in with the key
   * through the form; returns once the batch list shows.
   */
  void signIn(String key) {
    open("#/");
    waiting().until(d -> !findAll("input[name=credential]").isEmpty());
    signInWith(key);
  }

  /** Types the key into the sign-in form shown now and waits until the form is gone. */
  void signInWith(String key) {
    find("input[name=credential]").sendKeys(key);
    find("form.sign-in button[type=submit]").click();
    waiting().until(d -> findAll("input[name=credential]").isEmpty());
  }

  WebDriverWait waiting() {
    return new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(50));
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> findAll(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /**
   * Makes requests to these paths of the Sluice under test fail, as if the network dropped them;
   * each path is matched whole (a URLPattern pathname), so blocking a batch does not block its
   * controls. No paths lifts every block.
   */
  void blockPaths(String... paths) {
    driver.executeCdpCommand("Network.enable", Map.of());
    List<Map<String, Object>> patterns =
        java.util.Arrays.stream(paths)
            .map(p -> Map.<String, Object>of("urlPattern", base + p.substring(1), "block", true))
            .toList();
    driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urlPatterns", patterns));
  }

  /** Saves what the browser shows now as {@code target/screenshots/<name>.png}. */
  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Saves the whole page at phone width, then goes back to desktop width. */
  void screenshotAtPhoneWidth(String name) {
    driver.manage().window().setSize(PHONE);
    screenshot(name);
    driver.manage().window().setSize(DESKTOP);
  }

  @Override
  public void close() {
    driver.quit();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary profile is harmless
    }
  }
}
