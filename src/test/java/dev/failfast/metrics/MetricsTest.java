package dev.failfast.metrics;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The meters as Prometheus reads them from {@code /actuator/prometheus}, after real
 * batches.
 */
@FailfastServerTest
class MetricsTest {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    /**
     * A stop's discarded and saved job-seconds are counted once, when it completes, as
     * its report says.
     */
    @Test
    void aStopCountsTheJobSecondsItDiscardedAndSaved() {
        Scrape before = Scrape.of(client);
        String id = client.submit(Map.of("maxParallelism", 1, "jobs",
                List.of(sleep("ok", "PT0S"), sleep("stopped", "PT60S"), sleep("skipped", "PT60S"))));
        await().until(() -> client.batch(id).get("counts"),
                counts -> counts.get("succeeded").asInt() == 1 && counts.get("running").asInt() == 1);

        client.post("/api/v1/batches/" + id + "/cancel", Map.of());
        JsonNode report = client.awaitTerminal(id).get("cancellation").get("report");

        Scrape after = Scrape.of(client);
        assertThat(report.get("stoppedRunning").asInt()).isOne();
        assertThat(report.get("neverStarted").asInt()).isOne();
        assertThat(report.get("discardedJobSeconds").asDouble()).isPositive();
        assertThat(report.get("savedJobSeconds").isNumber()).as("one job succeeded to estimate from").isTrue();
        assertThat(after.delta(before, "failfast_stop_discarded_job_seconds_total", "cause", "USER_REQUESTED"))
            .isCloseTo(report.get("discardedJobSeconds").asDouble(), within(1e-6));
        assertThat(after.delta(before, "failfast_stop_saved_job_seconds_total", "cause", "USER_REQUESTED"))
            .isCloseTo(report.get("savedJobSeconds").asDouble(), within(1e-6));
        assertThat(after.matching("failfast_stop_discarded_job_seconds_total", "cause", "DEADLINE_EXCEEDED"))
            .as("every cause's series exists before its first stop")
            .hasSize(1);
        assertThat(after.matching("failfast_stop_saved_job_seconds_total", "cause", "DEADLINE_EXCEEDED")).hasSize(1);
    }

    @Test
    void failFastBatchIsCountedByOutcomeTypeAndCause() throws IOException {
        Scrape before = Scrape.of(client);

        String id = client.submit(workload("seed-ff.json"));
        client.awaitTerminal(id);

        Scrape after = Scrape.of(client);
        assertThat(after.delta(before, "failfast_batches_submitted_total")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_batches_finished_total", "outcome", "FAILED")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_batch_duration_seconds_count", "outcome", "FAILED")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_jobs_finished_total", "type", "sleep", "outcome", "FAILED"))
            .isEqualTo(1);
        assertThat(after.delta(before, "failfast_jobs_finished_total", "type", "sleep", "outcome", "CANCELLED"))
            .isEqualTo(7);
        assertThat(after.delta(before, "failfast_jobs_finished_total", "type", "sleep", "outcome", "SKIPPED"))
            .isEqualTo(92);
        // Skipped jobs never ran, so they have no duration.
        assertThat(after.delta(before, "failfast_job_duration_seconds_count", "type", "sleep")).isEqualTo(8);
        assertThat(after.delta(before, "failfast_cancellations_total", "cause", "JOB_FAILED")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_cancellation_propagation_seconds_count", "cause", "JOB_FAILED"))
            .isEqualTo(1);
        assertThat(
                after.delta(before, "failfast_store_write_seconds_count", "operation", "create", "exception", "none"))
            .isEqualTo(1);
        assertThat(after.delta(before, "failfast_store_write_seconds_count", "operation", "update")).isPositive();
    }

    @Test
    void timersPublishHistogramBucketsForPromQlQuantiles() throws IOException {
        client.awaitTerminal(client.submit(workload("seed-ff.json")));

        Scrape scrape = Scrape.of(client);
        for (String timer : List.of("failfast_job_duration_seconds", "failfast_batch_duration_seconds",
                "failfast_cancellation_propagation_seconds", "failfast_store_write_seconds",
                "http_server_requests_seconds")) {
            assertThat(scrape.matching(timer + "_bucket")).as(timer)
                .hasSizeGreaterThan(10)
                .anySatisfy(bucket -> assertThat(bucket.labels()).containsEntry("le", "+Inf"));
        }
        assertThat(scrape.matching("http_server_requests_seconds_bucket", "uri", "/api/v1/batches", "method", "POST"))
            .isNotEmpty();
    }

    @Test
    void userCancellationIsCountedWithItsCauseAndPropagationTime() {
        Scrape before = Scrape.of(client);
        String id = client.submit(Map.of("maxParallelism", 2, "jobs",
                IntStream.range(0, 10).mapToObj(i -> sleep("j" + i, "PT60S")).toList()));
        await().until(() -> client.batch(id).get("counts").get("running").asInt() == 2);

        client.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "metrics test"));
        client.awaitTerminal(id);

        Scrape after = Scrape.of(client);
        assertThat(after.delta(before, "failfast_cancellations_total", "cause", "USER_REQUESTED")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_cancellation_propagation_seconds_count", "cause", "USER_REQUESTED"))
            .isEqualTo(1);
        assertThat(after.delta(before, "failfast_batches_finished_total", "outcome", "CANCELLED")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_jobs_finished_total", "outcome", "CANCELLED")).isEqualTo(2);
        assertThat(after.delta(before, "failfast_jobs_finished_total", "outcome", "SKIPPED")).isEqualTo(8);
    }

    @Test
    void runningAndPendingGaugesFollowTheBatch() {
        Scrape before = Scrape.of(client);
        String id = client.submit(Map.of("maxParallelism", 2, "jobs",
                IntStream.range(0, 10).mapToObj(i -> sleep("j" + i, "PT60S")).toList()));

        await().untilAsserted(() -> {
            Scrape during = Scrape.of(client);
            assertThat(during.delta(before, "failfast_jobs_running")).isEqualTo(2);
            assertThat(during.delta(before, "failfast_jobs_pending")).isEqualTo(8);
            assertThat(during.delta(before, "failfast_batches_active")).isEqualTo(1);
            assertThat(during.delta(before, "failfast_attempts_in_flight")).isEqualTo(2);
        });

        client.post("/api/v1/batches/" + id + "/cancel", Map.of());
        client.awaitTerminal(id);
        Scrape after = Scrape.of(client);
        assertThat(after.delta(before, "failfast_jobs_running")).isZero();
        assertThat(after.delta(before, "failfast_jobs_pending")).isZero();
        assertThat(after.delta(before, "failfast_batches_active")).isZero();
    }

    @Test
    void failedAttemptsThatAreRetriedAreCountedOncePerRetry() {
        Scrape before = Scrape.of(client);

        String id = client.submit(Map.of("jobs",
                List.of(Map.of("id", "flaky", "type", "sleep", "params", Map.of("duration", "PT0S", "failAttempts", 2),
                        "retry", Map.of("maxAttempts", 3, "backoff", "PT0.01S")))));
        client.awaitTerminal(id);

        Scrape after = Scrape.of(client);
        assertThat(after.delta(before, "failfast_job_retries_total", "type", "sleep")).isEqualTo(2);
        assertThat(after.delta(before, "failfast_jobs_finished_total", "type", "sleep", "outcome", "SUCCEEDED"))
            .isEqualTo(1);
        assertThat(after.delta(before, "failfast_batches_finished_total", "outcome", "SUCCEEDED")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_jobs_running")).isZero();
    }

    @Test
    void aJobIgnoringCancellationIsCountedAbandoned() {
        Scrape before = Scrape.of(client);

        String id = client
            .submit(Map.of("jobs", List.of(sleep("stuck", "PT3S", Map.of("ignoreCancel", true, "steps", 1)),
                    sleep("fails", "PT0.1S", Map.of("failAfter", "PT0.05S")))));
        client.awaitTerminal(id, Duration.ofSeconds(10));

        Scrape after = Scrape.of(client);
        assertThat(after.delta(before, "failfast_jobs_abandoned_total", "type", "sleep")).isEqualTo(1);
        assertThat(after.delta(before, "failfast_jobs_running")).isZero();
    }

    @Test
    void jobExecutorAndHttpServerMetricsArePublished() {
        Scrape scrape = Scrape.of(client);

        for (String meter : List.of("executor_active_threads", "executor_pool_size_threads",
                "executor_pool_max_threads", "executor_queued_tasks", "executor_completed_tasks_total")) {
            assertThat(scrape.matching(meter, "name", "failfastJobExecutor")).as(meter).hasSize(1);
        }
        assertThat(scrape.value("failfast_attempts_capacity")).isEqualTo(16);
        assertThat(scrape.matching("http_server_requests_seconds_count")).isNotEmpty();
        assertThat(scrape.matching("jvm_memory_used_bytes")).isNotEmpty();
    }

    @Test
    void noSeriesIsTaggedWithABatchOrJobId() throws IOException {
        String id = client.submit(workload("seed-ff.json"));
        client.awaitTerminal(id);
        client.get("/api/v1/batches/" + id);
        client.get("/api/v1/batches/" + id + "/jobs/job-003");

        Scrape scrape = Scrape.of(client);

        assertThat(scrape.samples()).allSatisfy(sample -> {
            assertThat(sample.labels().keySet()).doesNotContain("batchId", "batch_id", "jobId", "job_id");
            assertThat(sample.labels().values())
                .noneMatch(value -> UUID.matcher(value).find() || value.contains("job-0"));
        });
    }

    @Test
    void everyFailfastMeterIsDocumented() throws IOException {
        String docs = Files.readString(Path.of("docs/metrics.md"));

        List<String> names = Scrape.of(client)
            .samples()
            .stream()
            .map(Scrape.Sample::name)
            .filter(name -> name.startsWith("failfast_"))
            .map(name -> name.replaceAll("_(bucket|count|sum|max|total)$", ""))
            .distinct()
            .toList();

        assertThat(names).hasSizeGreaterThan(10).allSatisfy(name -> assertThat(docs).contains("`" + name));
    }

    static String workload(String name) throws IOException {
        try (InputStream in = MetricsTest.class.getResourceAsStream("/workloads/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
