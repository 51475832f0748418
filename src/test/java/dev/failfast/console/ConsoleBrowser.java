package dev.failfast.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debian's headless Chromium, driven through its own chromedriver (no browser or driver
 * download: Selenium Manager is never asked), with the helpers the console tests share:
 * waits, axe-core, screenshots and the browser's console log.
 */
final class ConsoleBrowser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final String AXE = "META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    final ChromeDriver driver;

    private final String base;

    private ConsoleBrowser(ChromeDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /**
     * A browser on the service at {@code port}; skips the test when Chromium is missing,
     * except under {@code CI=true} (.ci/run installs it), where that fails.
     */
    static ConsoleBrowser start(int port) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (apt-get install chromium chromium-driver, as .ci/run does)";
            assertThat("true".equals(System.getenv("CI"))).as("CI=true but " + missing).isFalse();
            Assumptions.abort("Skipped: " + missing);
        }
        var options = new ChromeOptions().setBinary(CHROMIUM.toFile())
            .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-dev-shm-usage", "--window-size=1280,1000", "--force-device-scale-factor=1");
        var logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        return new ConsoleBrowser(new ChromeDriver(service, options), "http://localhost:" + port);
    }

    /** Opens the console at {@code fragment} (such as {@code #/submit}). */
    void open(String fragment) {
        driver.get(base + "/console/" + fragment);
    }

    /** Signs in with {@code key} on the sign-in form, and waits for the batches list. */
    void signIn(String key) {
        open("");
        WebElement input = await().until(d -> d.findElement(By.id("api-key")));
        input.sendKeys(key);
        driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        await().until(d -> !d.findElements(By.id("sign-out")).isEmpty());
    }

    /**
     * Makes the page see {@code prefers-color-scheme: dark}, or the system's scheme again
     * (a raw DevTools command, which needs no Selenium DevTools module for this
     * Chromium).
     */
    void darkMode(boolean dark) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : ""))));
    }

    /** Forgets the key: sessionStorage is the only place it was kept. */
    void signOut() {
        open("");
        driver.executeScript("sessionStorage.clear()");
    }

    WebDriverWait await() {
        return await(Duration.ofSeconds(20));
    }

    WebDriverWait await(Duration atMost) {
        var wait = new WebDriverWait(driver, atMost, Duration.ofMillis(50));
        // The live page rebuilds what it shows: an element found a moment ago may be
        // gone,
        // and the next poll finds its successor.
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    WebElement find(String css) {
        return await().until(d -> d.findElement(By.cssSelector(css)));
    }

    /** Waits until the element {@code css} shows text containing {@code text}. */
    WebElement awaitText(String css, String text) {
        await().until(d -> {
            var found = d.findElements(By.cssSelector(css));
            return !found.isEmpty() && found.getFirst().getText().contains(text);
        });
        return driver.findElement(By.cssSelector(css));
    }

    Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /**
     * Runs axe-core on the page as it is now and returns its serious and critical
     * violations, each as "rule: help (targets)".
     */
    List<String> seriousAccessibilityViolations() {
        if (!Boolean.TRUE.equals(script("return typeof window.axe === 'object'"))) {
            script(axeSource());
        }
        Object result = driver.executeAsyncScript(
                """
                        const done = arguments[arguments.length - 1];
                        axe.run(document, {resultTypes: ['violations']})
                          .then(r => done(JSON.stringify(r.violations)))
                          .catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));
                        """);
        JsonNode violations = JSON.readTree(String.valueOf(result));
        return violations.valueStream()
            .filter(violation -> List.of("serious", "critical").contains(violation.path("impact").asString()))
            .map(violation -> violation.path("id").asString() + ": " + violation.path("help").asString() + " "
                    + violation.path("nodes").valueStream().map(node -> node.path("target").toString()).toList())
            .toList();
    }

    private static String axeSource() {
        try (InputStream in = ConsoleBrowser.class.getClassLoader().getResourceAsStream(AXE)) {
            assertThat(in).as(AXE + " on the test class path (org.webjars.npm:axe-core)").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The browser console's messages since the last call that say the Content Security
     * Policy refused something.
     */
    List<String> policyViolations() {
        return driver.manage()
            .logs()
            .get(LogType.BROWSER)
            .getAll()
            .stream()
            .map(LogEntry::getMessage)
            .filter(message -> message.contains("Content Security Policy"))
            .toList();
    }

    /**
     * Saves the window as {@code docs/img/<name>.png} when
     * {@code -Dconsole.screenshots=true} (docs/console.md).
     */
    void screenshot(String name) {
        if (!Boolean.getBoolean("console.screenshots")) {
            return;
        }
        try {
            Path target = Path.of("docs", "img", name + ".png");
            Files.createDirectories(target.getParent());
            Files.write(target, driver.getScreenshotAs(OutputType.BYTES));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Performance marks and measures of the page, by name: milliseconds since navigation.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> marks() {
        return (Map<String, Object>) script(
                "return Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))");
    }

    @Override
    public void close() {
        driver.quit();
    }

}
