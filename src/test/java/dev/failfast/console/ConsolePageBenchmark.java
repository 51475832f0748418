package dev.failfast.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.testing.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The console's figures in docs/benchmarks.md (section "Web console"), measured in the
 * same headless Chromium as the browser tests: the batch page of a 100 000-job batch
 * (time to first render, to the timeline, to every bar) and the requests per second an
 * open page adds to the API. A measurement, not a test of speed: it asserts only that the
 * page shows the batch. Runs with {@code -Dconsole.benchmark=true} only:
 *
 * <pre>
 * ./mvnw -B -ntp verify -DskipITs -Djacoco.skip=true -Dtest=ConsolePageBenchmark -Dconsole.benchmark=true
 * </pre>
 */
@FailfastServerTest
class ConsolePageBenchmark {

    private static final int OPENINGS = 5;

    private static final Duration WINDOW = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    @Test
    void theBatchPageOfAHundredThousandJobsAndTheRequestsAnOpenPageMakes() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("console.benchmark"),
                "a measurement for docs/benchmarks.md: run with -Dconsole.benchmark=true");
        var api = new ApiClient(port);
        Path workload = Path.of("..", "shared", "workloads", "noop-100k.json");
        Assumptions.assumeTrue(Files.exists(workload), "needs " + workload);
        String big = api.submit(Files.readString(workload));
        api.awaitTerminal(big, Duration.ofMinutes(3));

        try (ConsoleBrowser browser = ConsoleBrowser.start(port)) {
            browser.signIn(TestKeys.ADMIN);
            List<Map<String, Object>> openings = new ArrayList<>();
            for (int i = 0; i < OPENINGS; i++) {
                // A new document each time: about:blank between, so marks start afresh.
                browser.driver.get("about:blank");
                browser.open("#/batches/" + big);
                browser.await(Duration.ofMinutes(2))
                    .until(d -> browser.marks().containsKey("console:timeline-complete"));
                assertThat(browser.find("#timeline").getDomAttribute("data-bars")).isEqualTo("100000");
                Map<String, Object> marks = browser.marks();
                marks.put("domNodes", browser.script("return document.getElementsByTagName('*').length"));
                marks.put("apiRequests", apiRequests(browser));
                openings.add(marks);
            }
            openings.forEach(marks -> System.out.println("console-benchmark 100k batch page: " + marks));

            browser.open("#/");
            browser.find("#batches tr[data-batch]");
            System.out.println("console-benchmark list page: " + requestsOver(browser) + " API requests in " + WINDOW);

            String active = api.submit(Map.of("name", "active", "maxParallelism", 4, "jobs", sleepers(2000)));
            browser.open("#/batches/" + active);
            browser.awaitText("#batch-state", "RUNNING");
            System.out.println("console-benchmark active batch page: " + requestsOver(browser) + " API requests in "
                    + WINDOW + ", " + browser.find("#timeline").getDomAttribute("data-stream-events")
                    + " job events streamed");
            api.post("/api/v1/batches/" + active + "/cancel", Map.of());
            assertThat(browser.driver.findElements(By.id("batch-state"))).isNotEmpty();
        }
    }

    /**
     * API requests the page made over WINDOW, counted from its resource timing entries.
     */
    private static long requestsOver(ConsoleBrowser browser) {
        long before = apiRequests(browser);
        long start = System.nanoTime();
        browser.await(WINDOW.plusSeconds(5)).until(d -> System.nanoTime() - start >= WINDOW.toNanos());
        return apiRequests(browser) - before;
    }

    private static long apiRequests(ConsoleBrowser browser) {
        return (Long) browser.script(
                "return performance.getEntriesByType('resource')" + ".filter(e => e.name.includes('/api/v1/')).length");
    }

    private static List<Map<String, Object>> sleepers(int count) {
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(ApiClient.sleep("s" + i, "PT0.5S"));
        }
        return jobs;
    }

}
