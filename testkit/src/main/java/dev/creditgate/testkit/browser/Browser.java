package dev.creditgate.testkit.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium for console tests (Debian's {@code chromium} and {@code chromium-driver}), driven
 * through Selenium with the installed driver (Selenium Manager never downloads anything).
 *
 * <pre>{@code
 * Assumptions.assumeTrue(Browser.unavailable().isEmpty(), () -> Browser.unavailable().get());
 * try (Browser browser = Browser.start()) {
 *     browser.open(baseUrl + "/console");
 *     ...
 * }
 * }</pre>
 *
 * Callers need {@code selenium-chrome-driver} and {@code selenium-support} on their test class path (testkit has
 * them as {@code provided} so that the mock upstream's class path stays small).
 */
public final class Browser implements AutoCloseable {

    /** A laptop and a phone (an iPhone 14's CSS pixels). */
    public static final Dimension LAPTOP = new Dimension(1280, 900);
    public static final Dimension PHONE = new Dimension(390, 844);

    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private final WebDriver driver;

    private Browser(WebDriver driver) {
        this.driver = driver;
    }

    /** Why no browser can be started here (to print when a test skips), or empty when one can. */
    public static Optional<String> unavailable() {
        if (find(BROWSERS).isEmpty()) {
            return Optional.of("no Chromium found at " + BROWSERS + " (Debian: apt-get install chromium chromium-driver)");
        }
        if (find(DRIVERS).isEmpty()) {
            return Optional.of("no chromedriver found at " + DRIVERS + " (Debian: apt-get install chromium-driver)");
        }
        return Optional.empty();
    }

    /** A headless browser at laptop size. */
    public static Browser start() {
        String binary = find(BROWSERS).orElseThrow(() -> new IllegalStateException(unavailable().orElseThrow()));
        String driverPath = find(DRIVERS).orElseThrow(() -> new IllegalStateException(unavailable().orElseThrow()));
        ChromeOptions options = new ChromeOptions()
                .setBinary(binary)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--disable-extensions", "--no-first-run", "--password-store=basic",
                        "--window-size=" + LAPTOP.width + "," + LAPTOP.height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(driverPath).toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().window().setSize(LAPTOP);
        return new Browser(driver);
    }

    public WebDriver driver() {
        return driver;
    }

    public Browser open(String url) {
        driver.get(url);
        return this;
    }

    public Browser size(Dimension size) {
        driver.manage().window().setSize(size);
        return this;
    }

    /** Waits up to 10 s for an element to be visible. */
    public WebElement await(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits up to 10 s until the page's text contains {@code text}. */
    public Browser awaitText(String text) {
        // a navigation can replace the body between finding it and reading it: look again
        new WebDriverWait(driver, Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class)
                .until(d -> {
                    try {
                        return d.findElement(By.tagName("body")).getText().contains(text);
                    } catch (org.openqa.selenium.WebDriverException e) {
                        // Chromium 156 reports a body of the page that was just replaced this way, not as stale
                        if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                            return false;
                        }
                        throw e;
                    }
                });
        return this;
    }

    /** Waits up to 10 s until the address ends with {@code suffix} (a click's navigation has landed). */
    public Browser awaitUrlEnding(String suffix) {
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().endsWith(suffix));
        return this;
    }

    public String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** Fills a field found by its {@code name} attribute. */
    public Browser fill(String name, String value) {
        WebElement field = await(By.name(name));
        field.clear();
        field.sendKeys(value);
        return this;
    }

    public Browser click(By by) {
        await(by).click();
        return this;
    }

    /** Saves a PNG of the viewport to {@code file} (directories created). */
    public Path screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }

    private static Optional<String> find(List<String> paths) {
        return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }
}
