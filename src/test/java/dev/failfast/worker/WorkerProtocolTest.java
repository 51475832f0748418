package dev.failfast.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.SseClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The worker protocol over real HTTP, the test acting as a worker: register, claim,
 * report; the first failure pushes a cancel to the worker holding a sibling and withdraws
 * the attempts no worker claimed; a lapsed lease fails the attempt with
 * {@code WORKER_LOST} (and a retry runs on another worker); a worker that ignores a
 * cancel is abandoned after the grace period and its late report refused; tenants are
 * kept apart; bad requests get problems.
 */
@FailfastServerTest
@TestPropertySource(properties = { "failfast.workers.lease-ttl=2s", "failfast.workers.heartbeat-interval=1s",
        "failfast.workers.max-capacity=16", "failfast.workers.max-workers-per-tenant=3" })
class WorkerProtocolTest {

    @LocalServerPort
    int port;

    ApiClient admin;

    ApiClient worker;

    ApiClient submitter;

    String tenant;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port);
        tenant = "workers-" + UUID.randomUUID().toString().substring(0, 8);
        worker = admin.withNewKey(tenant, "workers:run");
        submitter = admin.withNewKey(tenant, "batches:write", "batches:read", "batches:cancel");
    }

    @Test
    void aWorkerRunsRemoteJobsAndItsResultsBecomeTheJobs() {
        String workerId = register(worker, "echo", 4);
        String batch = submitter.submit(Map.of("jobs", List.of(remote("a", "echo", Map.of("n", 1)),
                remote("b", "echo", Map.of("n", 2)), remote("c", "echo", Map.of("n", 3)))));

        List<JsonNode> claimed = claimAtLeast(worker, workerId, 3);
        for (JsonNode attempt : claimed) {
            assertThat(attempt.get("type").asString()).isEqualTo("remote:echo");
            assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
            assertThat(attempt.get("batchId").asString()).isEqualTo(batch);
            var done = worker.post(attemptPath(workerId, attempt, "complete"),
                    Map.of("result", Map.of("echo", attempt.get("params").get("n").asInt())));
            assertThat(done.status()).as(done.body()).isEqualTo(204);
        }

        assertThat(submitter.awaitTerminal(batch).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(submitter.job(batch, "b").get("result").get("echo").asInt()).isEqualTo(2);
        var again = worker.post(attemptPath(workerId, claimed.getFirst(), "complete"), Map.of());
        assertThat(again.status()).as("a second report of the same attempt").isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
    }

    @Test
    void theFirstFailurePushesACancelToTheSiblingsWorkerAndWithdrawsUnclaimedAttempts() {
        String workerId = register(worker, "step", 2);
        try (SseClient events = SseClient.openPath(worker, "/api/v1/workers/" + workerId + "/events", null)) {
            assertThat(events.next().name()).isEqualTo("ready");
            List<Map<String, Object>> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                jobs.add(remote("job-" + i, "step", Map.of()));
            }
            String batch = submitter.submit(Map.of("failurePolicy", "FAIL_FAST", "maxParallelism", 4, "jobs", jobs));
            List<JsonNode> claimed = claimAtLeast(worker, workerId, 2);
            JsonNode failing = claimed.get(0);
            JsonNode sibling = claimed.get(1);

            var failed = worker.post(attemptPath(workerId, failing, "fail"),
                    Map.of("errorType", "S3_NOT_FOUND", "message", "no such key", "status", 404));
            assertThat(failed.status()).as(failed.body()).isEqualTo(204);

            SseClient.Event cancel = events.next();
            assertThat(cancel.name()).isEqualTo("cancel");
            assertThat(cancel.data().get("attemptId").asString()).isEqualTo(sibling.get("id").asString());
            assertThat(cancel.data().get("reason").asString()).isEqualTo("BATCH_CANCELLED");
            JsonNode beat = worker.post("/api/v1/workers/" + workerId + "/heartbeat", Map.of()).json();
            assertThat(beat.get("cancelled").get(0).get("attemptId").asString())
                .isEqualTo(sibling.get("id").asString());
            var claimAfter = worker.post("/api/v1/workers/" + workerId + "/claim", Map.of("wait", "PT0S"));
            assertThat(claimAfter.json().get("attempts").size()).as("nothing is claimable after the cause").isZero();
            worker.post(attemptPath(workerId, sibling, "fail"), Map.of("errorType", "CANCELLED"));

            JsonNode done = submitter.awaitTerminal(batch);
            assertThat(done.get("state").asString()).isEqualTo("FAILED");
            assertThat(done.get("cancellation").get("jobId").asString()).isEqualTo(failing.get("jobId").asString());
            JsonNode error = submitter.job(batch, failing.get("jobId").asString()).get("error");
            assertThat(error.get("type").asString()).isEqualTo("S3_NOT_FOUND");
            assertThat(error.get("httpStatus").asInt()).isEqualTo(404);
            assertThat(submitter.job(batch, sibling.get("jobId").asString()).get("state").asString())
                .isEqualTo("CANCELLED");
            assertThat(done.get("counts").get("skipped").asInt()).isEqualTo(2);
            assertThat(done.get("counts").get("cancelled").asInt()).as("two attempts waiting, none claimed")
                .isEqualTo(3);
        }
    }

    @Test
    void aWorkerThatStopsHeartbeatingLosesItsAttemptWhichIsRetriedOnAnother() {
        String lost = register(worker, "lease", 1);
        String batch = submitter.submit(Map.of("jobs", List
            .of(Map.of("id", "a", "type", "remote:lease", "retry", Map.of("maxAttempts", 2, "backoff", "PT0.1S")))));
        JsonNode first = claimAtLeast(worker, lost, 1).getFirst();

        // No heartbeat: the lease (2s) lapses, the attempt fails with WORKER_LOST and is
        // retried.
        String other = register(worker, "lease", 1);
        JsonNode second = claimAtLeast(worker, other, 1).getFirst();
        assertThat(second.get("attempt").asInt()).isEqualTo(2);
        var late = worker.post(attemptPath(lost, first, "complete"), Map.of());
        assertThat(late.status()).as("the lost worker's session is gone").isEqualTo(404);
        worker.post(attemptPath(other, second, "complete"), Map.of("result", "ok"));

        assertThat(submitter.awaitTerminal(batch).get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode history = submitter.job(batch, "a").get("attemptHistory");
        assertThat(history.get(0).get("error").get("type").asString()).isEqualTo("WORKER_LOST");
    }

    @Test
    void aWorkerThatIgnoresACancelIsAbandonedAfterTheGracePeriodAndItsLateReportRefused() {
        String workerId = register(worker, "stubborn", 1);
        String batch = submitter.submit(Map.of("jobs", List.of(remote("a", "stubborn", Map.of()))));
        JsonNode attempt = claimAtLeast(worker, workerId, 1).getFirst();

        submitter.post("/api/v1/batches/" + batch + "/cancel", Map.of("reason", "enough"));
        // The worker heartbeats on, but never stops the attempt.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode beat = worker
                .post("/api/v1/workers/" + workerId + "/heartbeat",
                        Map.of("progress", Map.of(attempt.get("id").asString(), Map.of("step", 1))))
                .json();
            assertThat(beat.get("unknown").toString()).as("the service gave the attempt up")
                .contains(attempt.get("id").asString());
        });

        JsonNode done = submitter.awaitTerminal(batch);
        assertThat(done.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(submitter.job(batch, "a").get("abandoned").asBoolean()).isTrue();
        assertThat(worker.post(attemptPath(workerId, attempt, "complete"), Map.of()).status()).isEqualTo(409);
    }

    @Test
    void aWorkerSeesOnlyItsTenantsJobsAndWorkers() {
        ApiClient otherWorker = admin.withNewKey(tenant + "-other", "workers:run");
        String others = register(otherWorker, "shared", 1);
        String mine = register(worker, "shared", 1);
        String batch = submitter.submit(Map.of("jobs", List.of(remote("a", "shared", Map.of()))));

        assertThat(otherWorker.post("/api/v1/workers/" + others + "/claim", Map.of("wait", "PT0.5S"))
            .json()
            .get("attempts")
            .size()).isZero();
        assertThat(otherWorker.get("/api/v1/workers/" + mine).status()).isEqualTo(404);
        assertThat(otherWorker.post("/api/v1/workers/" + mine + "/heartbeat", Map.of()).status()).isEqualTo(404);
        assertThat(otherWorker.get("/api/v1/workers").json().toString()).doesNotContain(mine);

        JsonNode attempt = claimAtLeast(worker, mine, 1).getFirst();
        assertThat(worker.get("/api/v1/workers/" + mine).json().get("attempts").get(0).get("id").asString())
            .isEqualTo(attempt.get("id").asString());
        worker.post(attemptPath(mine, attempt, "complete"), Map.of());
        assertThat(submitter.awaitTerminal(batch).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(worker.delete("/api/v1/workers/" + mine).status()).isEqualTo(204);
        assertThat(worker.get("/api/v1/workers/" + mine).status()).isEqualTo(404);
    }

    @Test
    void aDrainingWorkerIsAnsweredAtOnceAndClaimsNothingMore() throws Exception {
        String workerId = register(worker, "drain", 2);
        var waiting = CompletableFuture
            .supplyAsync(() -> worker.post("/api/v1/workers/" + workerId + "/claim", Map.of("wait", "PT25S")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(worker.post("/api/v1/workers/" + workerId + "/drain", Map.of()).status()).isEqualTo(204);
            assertThat(waiting).as("the waiting claim answers before its wait").isCompleted();
        });
        assertThat(waiting.get().json().get("attempts").size()).isZero();
        String batch = submitter.submit(Map.of("jobs", List.of(remote("a", "drain", Map.of()))));
        assertThat(worker.post("/api/v1/workers/" + workerId + "/claim", Map.of("wait", "PT0.5S"))
            .json()
            .get("attempts")
            .size()).as("a draining worker claims nothing").isZero();
        String other = register(worker, "drain", 1);
        worker.post(attemptPath(other, claimAtLeast(worker, other, 1).getFirst(), "complete"), Map.of());
        assertThat(submitter.awaitTerminal(batch).get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void anAttemptWhoseClaimAnswerWasLostIsOfferedAgainWhenTheWorkerSaysWhatItHolds() {
        String forgetful = register(worker, "lost-answer", 1);
        String batch = submitter.submit(Map.of("jobs", List.of(remote("a", "lost-answer", Map.of()))));
        JsonNode lost = claimAtLeast(worker, forgetful, 1).getFirst();
        String other = register(worker, "lost-answer", 1);

        // The worker never saw the claim answer: it holds nothing, it says.
        List<JsonNode> again = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            worker.post("/api/v1/workers/" + forgetful + "/heartbeat", Map.of("holding", List.of()));
            worker.post("/api/v1/workers/" + other + "/claim", Map.of("wait", "PT0.2S"))
                .json()
                .get("attempts")
                .forEach(again::add);
            return !again.isEmpty();
        });
        assertThat(again.getFirst().get("id").asString()).isEqualTo(lost.get("id").asString());
        assertThat(worker.post(attemptPath(forgetful, lost, "complete"), Map.of()).status()).isEqualTo(409);
        JsonNode beat = worker
            .post("/api/v1/workers/" + forgetful + "/heartbeat", Map.of("holding", List.of(lost.get("id").asString())))
            .json();
        assertThat(beat.get("unknown").get(0).asString()).isEqualTo(lost.get("id").asString());
        worker.post(attemptPath(other, again.getFirst(), "complete"), Map.of());
        assertThat(submitter.awaitTerminal(batch).get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void badRequestsGetProblemsWithTheFieldAndTheScopeIsNeeded() {
        var badTypes = worker.post("/api/v1/workers", Map.of("types", List.of("Bad Name"), "capacity", 1));
        assertThat(badTypes.status()).isEqualTo(400);
        assertThat(badTypes.body()).contains("types[0]");
        var tooBig = worker.post("/api/v1/workers", Map.of("types", List.of("a"), "capacity", 17));
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.body()).contains("capacity").contains("max-capacity");
        String workerId = register(worker, "a", 1);
        var longWait = worker.post("/api/v1/workers/" + workerId + "/claim", Map.of("wait", "PT5M"));
        assertThat(longWait.status()).isEqualTo(400);
        assertThat(longWait.body()).contains("\"wait\"");
        var badError = worker.post("/api/v1/workers/" + workerId + "/attempts/" + UUID.randomUUID() + "/fail",
                Map.of("errorType", "lower case"));
        assertThat(badError.status()).isEqualTo(400);
        assertThat(badError.body()).contains("errorType");
        assertThat(worker.post("/api/v1/workers/" + workerId + "/attempts/" + UUID.randomUUID() + "/complete", Map.of())
            .status()).isEqualTo(409);
        assertThat(submitter.post("/api/v1/workers", Map.of("types", List.of("a"), "capacity", 1)).status())
            .as("without workers:run")
            .isEqualTo(403);
        assertThat(worker.as(null).get("/api/v1/workers").status()).isEqualTo(401);
        register(worker, "a", 1);
        register(worker, "a", 1);
        var fourth = worker.post("/api/v1/workers", Map.of("types", List.of("a"), "capacity", 1));
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.json().get("limit").asString()).isEqualTo("tenant-workers");
        var badType = submitter.post("/api/v1/batches",
                Map.of("jobs", List.of(Map.of("id", "a", "type", "remote:Not_Valid", "params", Map.of()))));
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.body()).contains("jobs[0].type").contains("remote:<name>");
    }

    static Map<String, Object> remote(String id, String name, Map<String, Object> params) {
        return Map.of("id", id, "type", "remote:" + name, "params", params);
    }

    static String register(ApiClient client, String type, int capacity) {
        var created = client.post("/api/v1/workers",
                Map.of("name", "test", "types", List.of(type), "capacity", capacity));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    /**
     * Claims until {@code n} attempts are held (the batch's jobs may start one by one).
     */
    static List<JsonNode> claimAtLeast(ApiClient client, String workerId, int n) {
        List<JsonNode> claimed = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var response = client.post("/api/v1/workers/" + workerId + "/claim", Map.of("wait", "PT1S"));
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            response.json().get("attempts").forEach(claimed::add);
            return claimed.size() >= n;
        });
        return claimed;
    }

    static String attemptPath(String workerId, JsonNode attempt, String report) {
        return "/api/v1/workers/" + workerId + "/attempts/" + attempt.get("id").asString() + "/" + report;
    }

}
