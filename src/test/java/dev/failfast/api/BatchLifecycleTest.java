package dev.failfast.api;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The batch life cycle end to end, over real HTTP, with real jobs on the real executor.
 */
@FailfastServerTest
class BatchLifecycleTest {

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @Test
    void seedWorkloadFailsFastAndNoJobStartsAfterTheCause() throws IOException {
        String id = client.submit(workload("seed-ff.json"));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        JsonNode cause = batch.get("cancellation");
        assertThat(cause.get("cause").asString()).isEqualTo("JOB_FAILED");
        assertThat(cause.get("jobId").asString()).isEqualTo("job-003");
        assertThat(cause.get("errorType").asString()).isEqualTo("JOB_ERROR");
        assertThat(cause.get("message").asString()).isEqualTo("Something bad happened!");
        assertThat(cause.get("propagationMillis").isNumber()).as("propagationMillis is a number").isTrue();
        assertThat(cause.get("propagationMillis").asDouble()).isPositive();
        JsonNode counts = batch.get("counts");
        assertThat(counts.get("failed").asInt()).isEqualTo(1);
        assertThat(counts.get("cancelled").asInt()).isEqualTo(7);
        assertThat(counts.get("skipped").asInt()).isEqualTo(92);
        assertThat(counts.get("running").asInt()).isZero();

        Instant requestedAt = Instant.parse(cause.get("requestedAt").asString());
        List<JsonNode> jobs = client.jobs(id);
        assertThat(jobs).hasSize(100);
        assertThat(jobs).filteredOn(job -> !job.get("startedAt").isNull())
            .allSatisfy(job -> assertThat(Instant.parse(job.get("startedAt").asString())).isBefore(requestedAt))
            .hasSize(8);
        assertThat(jobs).filteredOn(job -> job.get("state").asString().equals("SKIPPED"))
            .allSatisfy(job -> assertThat(job.get("attempts").asInt()).isZero())
            .hasSize(92);
        assertThat(Instant.parse(batch.get("finishedAt").asString()))
            .isEqualTo(Instant.parse(cause.get("completedAt").asString()));
    }

    @Test
    void userCancelStopsRunningJobsAndSkipsTheRest() {
        String id = client.submit(Map.of("maxParallelism", 2, "jobs",
                IntStream.range(0, 10).mapToObj(i -> sleep("j" + i, "PT60S")).toList()));
        await().until(() -> client.batch(id).get("counts").get("running").asInt() == 2);

        ApiClient.Response cancelled = client.post("/api/v1/batches/" + id + "/cancel",
                Map.of("reason", "wrong input"));

        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(cancelled.json().get("cancellation").get("cause").asString()).isEqualTo("USER_REQUESTED");
        JsonNode batch = client.awaitTerminal(id);
        assertThat(batch.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(batch.get("cancellation").get("reason").asString()).isEqualTo("wrong input");
        assertThat(batch.get("cancellation").get("jobId").isNull()).isTrue();
        assertThat(batch.get("counts").get("cancelled").asInt()).isEqualTo(2);
        assertThat(batch.get("counts").get("skipped").asInt()).isEqualTo(8);
        assertThat(client.jobs(id)).filteredOn(job -> job.get("state").asString().equals("CANCELLED"))
            .allSatisfy(job -> assertThat(job.get("abandoned").asBoolean()).isFalse());
    }

    @Test
    void cancellingAgainKeepsTheFirstCauseAndATerminalBatchCannotBeCancelled() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT60S"), sleep("b", "PT60S"))));
        assertThat(client.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "first")).status()).isEqualTo(202);

        ApiClient.Response second = client.post("/api/v1/batches/" + id + "/cancel", "");
        // 202 while the batch is still being cancelled, 409 if it ended in between.
        assertThat(second.status()).isIn(202, 409);
        if (second.status() == 202) {
            assertThat(second.json().get("cancellation").get("reason").asString()).isEqualTo("first");
        }
        client.awaitTerminal(id);
        ApiClient.Response afterEnd = client.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "late"));

        assertThat(afterEnd.status()).isEqualTo(409);
        assertThat(client.batch(id).get("cancellation").get("reason").asString()).isEqualTo("first");
    }

    @Test
    void continuePolicyRunsEveryJobAndFailsIfAnyFailed() {
        String id = client.submit(Map.of("failurePolicy", "CONTINUE", "maxParallelism", 2, "jobs",
                List.of(sleep("ok-1", "PT0.05S"), sleep("bad", "PT0.05S", Map.of("failAfter", "PT0S")),
                        sleep("ok-2", "PT0.05S"), sleep("ok-3", "PT0.05S"))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        assertThat(batch.get("cancellation").isNull()).isTrue();
        assertThat(batch.get("counts").get("succeeded").asInt()).isEqualTo(3);
        assertThat(batch.get("counts").get("failed").asInt()).isEqualTo(1);
    }

    @Test
    void continuePolicyWithoutFailuresSucceeds() {
        String id = client
            .submit(Map.of("failurePolicy", "CONTINUE", "jobs", List.of(sleep("a", "PT0S"), sleep("b", "PT0S"))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(client.job(id, "a").get("result").get("sleptMillis").isNumber()).isTrue();
        assertThat(batch.get("startedAt").isNull()).isFalse();
    }

    @Test
    void maxFailuresToleratesThatManyFailuresThenCancels() {
        List<Object> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(sleep("bad-" + i, "PT0S", Map.of("failAfter", "PT0S")));
        }
        jobs.add(sleep("slow", "PT60S"));
        String id = client.submit(Map.of("maxFailures", 2, "maxParallelism", 1, "jobs", jobs));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        assertThat(batch.get("cancellation").get("cause").asString()).isEqualTo("MAX_FAILURES_EXCEEDED");
        assertThat(batch.get("cancellation").get("jobId").asString()).isEqualTo("bad-2");
        assertThat(client.job(id, "slow").get("state").asString()).isEqualTo("SKIPPED");
    }

    @Test
    void jobTimeoutFailsTheAttemptWithTimeout() {
        String id = client.submit(Map.of("jobs", List
            .of(Map.of("id", "slow", "type", "sleep", "params", Map.of("duration", "PT60S"), "timeout", "PT0.2S"))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        assertThat(batch.get("cancellation").get("errorType").asString()).isEqualTo("TIMEOUT");
        JsonNode job = client.job(id, "slow");
        assertThat(job.get("state").asString()).isEqualTo("FAILED");
        assertThat(job.get("error").get("type").asString()).isEqualTo("TIMEOUT");
        assertThat(job.get("abandoned").asBoolean()).isFalse();
    }

    @Test
    void deadlineFailsTheBatch() {
        String id = client.submit(Map.of("deadline", "PT0.3S", "maxParallelism", 1, "jobs",
                List.of(sleep("a", "PT60S"), sleep("b", "PT60S"))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        assertThat(batch.get("cancellation").get("cause").asString()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(client.job(id, "a").get("state").asString()).isEqualTo("CANCELLED");
        assertThat(client.job(id, "b").get("state").asString()).isEqualTo("SKIPPED");
    }

    @Test
    void failedAttemptsAreRetriedWithBackoffUntilOneSucceeds() {
        String id = client.submit(Map.of("jobs",
                List.of(Map.of("id", "flaky", "type", "sleep", "params", Map.of("duration", "PT0S", "failAttempts", 2),
                        "retry", Map.of("maxAttempts", 3, "backoff", "PT0.05S", "multiplier", 2.0)))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode job = client.job(id, "flaky");
        assertThat(job.get("attempts").asInt()).isEqualTo(3);
        assertThat(job.get("state").asString()).isEqualTo("SUCCEEDED");
        // The backoffs (50 ms, then 100 ms) lie between the first start and the end.
        Duration elapsed = Duration.between(Instant.parse(job.get("startedAt").asString()),
                Instant.parse(job.get("finishedAt").asString()));
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void aJobOutOfAttemptsFailsTheBatch() {
        String id = client.submit(Map.of("jobs",
                List.of(Map.of("id", "broken", "type", "sleep", "params",
                        Map.of("duration", "PT0S", "failAfter", "PT0S"), "retry",
                        Map.of("maxAttempts", 2, "backoff", "PT0.01S")))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("cancellation").get("cause").asString()).isEqualTo("JOB_FAILED");
        assertThat(client.job(id, "broken").get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void cancellationDuringBackoffStopsTheRetry() {
        String id = client.submit(Map.of("jobs",
                List.of(Map.of("id", "flaky", "type", "sleep", "params", Map.of("duration", "PT0S", "failAttempts", 1),
                        "retry", Map.of("maxAttempts", 5, "backoff", "PT60S")))));
        await().until(() -> client.job(id, "flaky").get("error").isObject());

        client.post("/api/v1/batches/" + id + "/cancel", Map.of());

        JsonNode batch = client.awaitTerminal(id);
        assertThat(batch.get("state").asString()).isEqualTo("CANCELLED");
        JsonNode job = client.job(id, "flaky");
        assertThat(job.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aJobIgnoringCancellationIsAbandonedAfterTheGracePeriod() {
        String id = client
            .submit(Map.of("jobs", List.of(sleep("stuck", "PT30S", Map.of("ignoreCancel", true, "steps", 1)),
                    sleep("fails", "PT0.1S", Map.of("failAfter", "PT0.05S")))));

        JsonNode batch = client.awaitTerminal(id, Duration.ofSeconds(10));

        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        JsonNode stuck = client.job(id, "stuck");
        assertThat(stuck.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(stuck.get("abandoned").asBoolean()).isTrue();
        // The batch ended about one grace period (1 s in tests) after the cause, not
        // after 30 s.
        assertThat(batch.get("cancellation").get("propagationMillis").asDouble()).isGreaterThanOrEqualTo(1000.0);
    }

    @Test
    void deleteRemovesATerminalBatchButNotAnActiveOne() {
        String active = client.submit(Map.of("jobs", List.of(sleep("a", "PT60S"))));
        assertThat(client.delete("/api/v1/batches/" + active).status()).isEqualTo(409);
        client.post("/api/v1/batches/" + active + "/cancel", Map.of());
        client.awaitTerminal(active);

        assertThat(client.delete("/api/v1/batches/" + active).status()).isEqualTo(204);
        assertThat(client.get("/api/v1/batches/" + active).status()).isEqualTo(404);
        assertThat(client.get("/api/v1/batches/" + active + "/jobs").status()).isEqualTo(404);
        assertThat(client.delete("/api/v1/batches/" + active).status()).isEqualTo(404);
    }

    @Test
    void batchesAreListedNewestFirstAndFilteredByStateAndLabel() {
        String label = "run-" + System.nanoTime();
        String first = client.submit(Map.of("labels", Map.of("suite", label), "jobs", List.of(sleep("a", "PT0S"))));
        client.awaitTerminal(first);
        String second = client
            .submit(Map.of("labels", Map.of("suite", label, "kind", "slow"), "jobs", List.of(sleep("a", "PT60S"))));
        client.awaitState(second, "RUNNING");

        JsonNode all = client.get("/api/v1/batches?label=suite:" + label).json();
        JsonNode running = client.get("/api/v1/batches?state=RUNNING&label=suite:" + label).json();
        JsonNode both = client.get("/api/v1/batches?label=suite:" + label + "&label=kind:slow").json();

        assertThat(all.get("content").valueStream().map(b -> b.get("id").asString())).containsExactly(second, first);
        assertThat(all.get("page").get("totalElements").asInt()).isEqualTo(2);
        assertThat(running.get("content").valueStream().map(b -> b.get("id").asString())).containsExactly(second);
        assertThat(both.get("content").valueStream().map(b -> b.get("id").asString())).containsExactly(second);
        client.post("/api/v1/batches/" + second + "/cancel", Map.of());
        client.awaitTerminal(second);
    }

    @Test
    void jobsOfALargeBatchArePagedInSubmissionOrder() {
        int total = 20_000;
        String id = client.submit(Map.of("maxParallelism", 16, "jobs",
                IntStream.range(0, total).mapToObj(i -> sleep("n%05d".formatted(i), "PT0S")).toList()));
        JsonNode batch = client.awaitTerminal(id, Duration.ofSeconds(60));
        assertThat(batch.get("counts").get("succeeded").asInt()).isEqualTo(total);

        List<String> ids = new ArrayList<>();
        for (int page = 0; page < 20; page++) {
            JsonNode response = client.get("/api/v1/batches/" + id + "/jobs?size=1000&page=" + page).json();
            assertThat(response.get("page").get("totalElements").asInt()).isEqualTo(total);
            assertThat(response.get("page").get("totalPages").asInt()).isEqualTo(20);
            assertThat(response.get("page").get("number").asInt()).isEqualTo(page);
            response.get("content").forEach(job -> ids.add(job.get("id").asString()));
        }
        JsonNode beyond = client.get("/api/v1/batches/" + id + "/jobs?size=1000&page=20").json();
        JsonNode filtered = client.get("/api/v1/batches/" + id + "/jobs?state=SUCCEEDED&size=5&page=3").json();
        JsonNode clamped = client.get("/api/v1/batches/" + id + "/jobs?size=5000").json();

        assertThat(ids).hasSize(total).isSorted().doesNotHaveDuplicates();
        assertThat(beyond.get("content").isEmpty()).isTrue();
        assertThat(filtered.get("content").valueStream().map(j -> j.get("id").asString())).containsExactly("n00015",
                "n00016", "n00017", "n00018", "n00019");
        assertThat(clamped.get("content").size()).isEqualTo(1000);
    }

    static String workload(String name) throws IOException {
        try (InputStream in = BatchLifecycleTest.class.getResourceAsStream("/workloads/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

}
