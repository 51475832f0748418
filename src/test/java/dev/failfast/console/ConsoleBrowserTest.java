package dev.failfast.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.testing.GateJob;
import dev.failfast.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The web console in a real browser (headless Chromium) against the real service: sign
 * in, submit the seed workload and watch it stop on the timeline, open a job, cancel a
 * batch with a reason, see a field error, and no serious accessibility violation
 * (axe-core) or Content Security Policy refusal on any page.
 */
@FailfastServerTest
class ConsoleBrowserTest {

    /** One browser for the class, started by the first test (which knows the port). */
    private static ConsoleBrowser browser;

    @LocalServerPort
    int port;

    private ApiClient api;

    @BeforeEach
    void signIn() {
        if (browser == null) {
            browser = ConsoleBrowser.start(port);
        }
        api = new ApiClient(port);
        browser.driver.manage().window().setSize(new Dimension(1280, 1000));
        browser.signOut();
    }

    @AfterEach
    void noPolicyViolations() {
        if (browser != null) {
            assertThat(browser.policyViolations()).as("Content Security Policy refusals").isEmpty();
        }
    }

    /** An element's text, read in one step: the live page may rebuild it between two. */
    private String text(String selector) {
        return String.valueOf(browser.script("return document.querySelector(arguments[0]).textContent", selector));
    }

    /** The {@code gate} job type, so that a test decides when a job ends. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Gates {

        @Bean
        GateJob gateJob() {
            return new GateJob();
        }

    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theSeedBatchStopsLiveOnTheTimelineWithItsCauseAndCounts() throws IOException {
        browser.signIn(TestKeys.ADMIN);
        browser.open("#/submit");
        WebElement editor = browser.find("#batch-json");
        assertThat(editor.getAttribute("value")).as("the example").contains("\"jobs\"");
        assertAccessible("the submit form");
        browser.screenshot("console-submit");
        browser.script("arguments[0].value = arguments[1]", editor, workload("seed-ff.json"));
        browser.find("#submit-batch").click();

        browser.await().until(d -> d.getCurrentUrl().matches(".*#/batches/[0-9a-f-]{36}$"));
        String url = browser.driver.getCurrentUrl();
        String id = url.substring(url.lastIndexOf('/') + 1);
        browser.awaitText("#batch-state", "FAILED");
        assertThat(browser.awaitText("#cause-line", "92 never started").getText())
            .startsWith("job-003 failed: Something bad happened!")
            .contains("7 stopped in");
        assertThat(browser.find("[data-count=cancelled]").getText()).isEqualTo("7 cancelled");
        assertThat(browser.find("[data-count=skipped]").getText()).isEqualTo("92 skipped");
        assertThat(browser.find("#stop-report").getText()).contains("Never started\n92");

        // The 8 started jobs (1 failed, 7 cancelled, each marked where it stopped) in 8
        // lanes, and the cause's line.
        WebElement timeline = browser.find("#timeline");
        browser.await().until(d -> "8".equals(timeline.getDomAttribute("data-bars")));
        assertThat(timeline.getDomAttribute("data-lanes")).isEqualTo("8");
        assertThat(timeline.getDomAttribute("data-markers")).isEqualTo("7");
        assertThat(timeline.getDomAttribute("data-cause")).isNotEmpty();
        assertThat(timeline.getDomAttribute("aria-labelledby")).isEqualTo("timeline-caption");
        assertThat(browser.find("#timeline-caption").getText()).contains("8 jobs started in 8 lanes");
        browser.awaitText("#jobs-page", "100 jobs");
        assertAccessible("the batch page");
        browser.script("arguments[0].scrollIntoView()", browser.find("#cause-banner"));
        browser.screenshot("console-batch");

        browser.find("#jobs a[href$='/jobs/job-003']").click();
        browser.awaitText("#job-state", "FAILED");
        assertThat(browser.find("#job-error").getText()).contains("Something bad happened!");
        assertThat(browser.find("#job-params").getText()).contains("\"failAfter\": \"PT0.25S\"");
        assertThat(browser.find("#attempts").getText()).contains("FAILED");
        assertAccessible("the job page");

        String done = api.submit(Map.of("name", "nightly-import", "labels", Map.of("team", "data"), "jobs",
                List.of(ApiClient.sleep("a", "PT0.1S"), ApiClient.sleep("b", "PT0.2S"))));
        api.awaitTerminal(done);
        browser.open("#/");
        assertThat(browser.awaitText("#batches tr[data-batch='" + id + "']", "92 never started").getText())
            .contains("job-003 failed: Something bad happened! · 7 stopped in");
        assertAccessible("the batches list");
        browser.screenshot("console-batches");
    }

    @Test
    void theTimelineFillsLiveFromTheEventStream() {
        String id = api.submit(Map.of("name", "live", "maxParallelism", 2, "jobs",
                List.of(ApiClient.sleep("a", "PT30S"),
                        ApiClient.sleep("b", "PT30S", Map.of("failAfter", "PT5S", "failMessage", "disk full")),
                        ApiClient.sleep("c", "PT30S"))));
        browser.signIn(TestKeys.ADMIN);
        browser.open("#/batches/" + id);
        browser.awaitText("#batch-state", "RUNNING");
        WebElement timeline = browser.find("#timeline");
        browser.await().until(d -> "2".equals(timeline.getDomAttribute("data-bars")));
        assertThat(browser.find("#batch-state").getText()).as("drawn while it runs").isEqualTo("RUNNING");
        assertThat(timeline.getDomAttribute("data-cause")).isEmpty();

        // b fails: the stream's events end both bars, mark the cancelled one, draw the
        // cause's line, and turn the banner on, with no reload.
        browser.awaitText("#batch-state", "FAILED");
        browser.await().until(d -> "1".equals(timeline.getDomAttribute("data-markers")));
        assertThat(timeline.getDomAttribute("data-cause")).isNotEmpty();
        assertThat(Integer.parseInt(timeline.getDomAttribute("data-stream-events"))).isGreaterThanOrEqualTo(2);
        assertThat(browser.find("#cause-line").getText()).startsWith("b failed: disk full · 1 stopped in")
            .endsWith("· 1 never started");
        assertThat(browser.marks()).containsKeys("console:batch-rendered", "console:timeline");
    }

    @Test
    void theCountsFollowTheJobsWhileTheBatchRuns() {
        String gate = GateJob.newGate("console-counts");
        String id = api.submit(Map.of("name", "counting", "maxParallelism", 2, "jobs",
                List.of(GateJob.job("gated", gate), ApiClient.sleep("long", "PT60S"))));
        browser.signIn(TestKeys.ADMIN);
        browser.open("#/batches/" + id);
        browser.awaitText("[data-count=running]", "2 running");
        assertThat(text("[data-count=succeeded]")).isEqualTo("0 succeeded");

        GateJob.open(gate); // no batch event: only the job's own event tells of it

        browser.awaitText("[data-count=succeeded]", "1 succeeded");
        assertThat(text("[data-count=running]")).isEqualTo("1 running");
        assertThat(text("#batch-state")).isEqualTo("RUNNING");
        api.post("/api/v1/batches/" + id + "/cancel", Map.of());
        browser.awaitText("#batch-state", "CANCELLED");
    }

    @Test
    void aRunningBatchIsCancelledWithAReasonAfterConfirming() {
        String id = api.submit(Map.of("name", "to-cancel", "maxParallelism", 2, "jobs",
                List.of(ApiClient.sleep("a", "PT30S"), ApiClient.sleep("b", "PT30S"), ApiClient.sleep("c", "PT30S"))));
        browser.signIn(TestKeys.ADMIN);
        browser.open("#/batches/" + id);
        browser.awaitText("#batch-state", "RUNNING");
        browser.find("#cancel-batch").click();
        browser.find("#cancel-dialog-reason").sendKeys("wrong input");
        assertAccessible("the cancel dialog");
        browser.find("#cancel-dialog-confirm").click();

        browser.awaitText("#batch-state", "CANCELLED");
        assertThat(browser.awaitText("#cause-line", "wrong input").getText()).startsWith("cancelled by key:")
            .contains("2 stopped")
            .contains("1 never started");
        assertThat(api.batch(id).at("/cancellation/reason").asString()).isEqualTo("wrong input");
        assertThat(browser.driver.findElements(By.id("cancel-batch"))).as("no cancel once it ended").isEmpty();
    }

    @Test
    void aBadSubmissionShowsTheApisFieldErrorNextToTheEditor() {
        browser.signIn(TestKeys.ADMIN);
        browser.open("#/submit");
        browser.script("arguments[0].value = arguments[1]", browser.find("#batch-json"),
                "{\"jobs\": [{\"id\": \"a\", \"type\": \"sleep\", \"params\": {\"durashun\": \"PT1S\"}}]}");
        browser.find("#submit-batch").click();

        WebElement error = browser.find("#field-errors li[data-field='jobs[0].params.durashun']");
        assertThat(error.getText()).startsWith("jobs[0].params.durashun");
        assertThat(browser.find("#batch-json").getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.driver.getCurrentUrl()).endsWith("#/submit");
        assertAccessible("the submit form with errors");
    }

    @Test
    void aReadOnlyKeyIsOfferedNoActionAndTheKeyStaysOutOfUrlsAndLocalStorage() {
        String key = api.createKey("console-ro", "batches:read").get("key").asString();
        String id = new ApiClient(port, api.createKey("console-ro", "batches:write").get("key").asString())
            .submit(Map.of("jobs", List.of(ApiClient.sleep("a", "PT30S"))));
        browser.signIn(key);
        browser.awaitText("#caller", "console-ro");
        assertThat(browser.find("#nav-submit").isDisplayed()).isFalse();
        browser.open("#/batches/" + id);
        browser.awaitText("#batch-state", "RUNNING");
        assertThat(browser.find("#batch-actions").findElements(By.tagName("button"))).isEmpty();
        assertThat(browser.script("return localStorage.length")).isEqualTo(0L);
        assertThat(browser.driver.getCurrentUrl()).doesNotContain(key);
        api.post("/api/v1/batches/" + id + "/cancel", Map.of());
    }

    @Test
    void onAPhoneInDarkModeTheListFitsTheScreenAndPassesAxe() {
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        browser.darkMode(true);
        try {
            browser.signIn(TestKeys.ADMIN);
            browser.find("#batches");
            assertThat(browser.script("return matchMedia('(prefers-color-scheme: dark)').matches")).isEqualTo(true);
            assertThat(browser.script("return document.documentElement.scrollWidth <= window.innerWidth"))
                .as("no horizontal scrolling of the page (tables scroll in their own region)")
                .isEqualTo(true);
            assertAccessible("the list on a phone, dark");
            browser.open("#/submit");
            browser.find("#batch-json");
            assertAccessible("the submit form on a phone, dark");
        }
        finally {
            browser.darkMode(false);
        }
    }

    private void assertAccessible(String page) {
        assertThat(browser.seriousAccessibilityViolations()).as("serious or critical axe-core violations on " + page)
            .isEmpty();
    }

    static String workload(String name) throws IOException {
        try (InputStream in = ConsoleBrowserTest.class.getResourceAsStream("/workloads/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
