package dev.failfast.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Nothing is lost when the service dies: the built jar runs as a separate process, is
 * killed (SIGKILL) or stopped (SIGTERM) while a batch runs, and is started again on the
 * same data.
 */
class CrashRecoveryIT {

    private static final Duration LONG = Duration.ofMinutes(2);

    @TempDir
    Path dataDir;

    @Test
    void afterKillNineTheBatchIsFailedWithCauseOwnerLost() throws Exception {
        String id;
        try (var service = ServiceProcess.start(dataDir)) {
            id = submitAndAwaitRunning(service, "PT60S", 1);
            service.killHard();
        }
        try (var service = ServiceProcess.start(dataDir)) {
            JsonNode batch = service.get("/api/v1/batches/" + id);
            assertThat(batch.path("state").asString()).isEqualTo("FAILED");
            assertThat(batch.path("cancellation").path("cause").asString()).isEqualTo("OWNER_LOST");
            assertThat(batch.path("cancellation").path("completedAt").isNull()).isFalse();
            assertThat(counts(batch)).containsExactly(6, 0, 0, 0, 2, 0, 4);
            JsonNode failed = service.get("/api/v1/batches/" + id + "/jobs?state=FAILED");
            assertThat(failed.path("content")).hasSize(2)
                .allSatisfy(job -> assertThat(job.path("error").path("type").asString()).isEqualTo("INTERRUPTED"));
        }
    }

    @Test
    void afterKillNineResumeRetriesTheInterruptedJobsAndRunsTheRest() throws Exception {
        String id;
        try (var service = ServiceProcess.start(dataDir)) {
            id = submitAndAwaitRunning(service, "PT3S", 2);
            service.killHard();
        }
        try (var service = ServiceProcess.start(dataDir, "--failfast.recovery.mode=RESUME")) {
            await().atMost(LONG)
                .until(() -> service.get("/api/v1/batches/" + id).path("state").asString(),
                        state -> state.equals("SUCCEEDED"));
            assertThat(counts(service.get("/api/v1/batches/" + id))).containsExactly(6, 0, 0, 6, 0, 0, 0);
            JsonNode first = service.get("/api/v1/batches/" + id + "/jobs/job-0");
            assertThat(first.path("attempts").asInt()).as("interrupted attempt, then the retry").isEqualTo(2);
            assertThat(service.get("/api/v1/batches/" + id + "/jobs/job-5").path("attempts").asInt()).isEqualTo(1);
        }
    }

    /**
     * The flush interval is an hour, so nothing but the cancel itself writes the cause:
     * the 202 comes only once the cause and the skipped jobs are stored, and a crash
     * right after keeps them (under RESUME the skipped jobs would otherwise run again).
     */
    @Test
    void anAcknowledgedCancelSurvivesKillNineAndItsSkippedJobsNeverRun() throws Exception {
        String id;
        try (var service = ServiceProcess.start(dataDir, "--failfast.store.flush-interval=1h")) {
            id = submitAndAwaitRunning(service, "PT60S", 1);
            JsonNode cancelled = service.post("/api/v1/batches/" + id + "/cancel", "{\"reason\": \"wrong input\"}");
            assertThat(cancelled.path("cancellation").path("cause").asString()).isEqualTo("USER_REQUESTED");
            service.killHard();
        }
        try (var service = ServiceProcess.start(dataDir, "--failfast.recovery.mode=RESUME")) {
            JsonNode batch = service.get("/api/v1/batches/" + id);
            assertThat(batch.path("state").asString()).isEqualTo("CANCELLED");
            assertThat(batch.path("cancellation").path("cause").asString()).as("the first cause")
                .isEqualTo("USER_REQUESTED");
            assertThat(batch.path("cancellation").path("reason").asString()).isEqualTo("wrong input");
            assertThat(counts(batch)).containsExactly(6, 0, 0, 0, 0, 2, 4);
            assertThat(service.get("/api/v1/batches/" + id + "/jobs?state=SKIPPED").path("content")).hasSize(4)
                .allSatisfy(job -> assertThat(job.path("attempts").asInt()).isZero());
        }
    }

    @Test
    void sigtermDrainsThenCancelsWithCauseShutdownAndPersistsEverything() throws Exception {
        String id;
        try (var service = ServiceProcess.start(dataDir, "--failfast.shutdown.drain-timeout=1s")) {
            id = submitAndAwaitRunning(service, "PT60S", 1);
            service.terminate();
        }
        try (var service = ServiceProcess.start(dataDir)) {
            JsonNode batch = service.get("/api/v1/batches/" + id);
            assertThat(batch.path("state").asString()).isEqualTo("FAILED");
            assertThat(batch.path("cancellation").path("cause").asString()).isEqualTo("SHUTDOWN");
            assertThat(counts(batch)).containsExactly(6, 0, 0, 0, 0, 2, 4);
        }
    }

    /**
     * Six sleep jobs, two at a time; returns the batch id once two run and that is
     * written.
     */
    private static String submitAndAwaitRunning(ServiceProcess service, String duration, int maxAttempts) {
        StringBuilder jobs = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            jobs.append(i == 0 ? "" : ",").append("""
                    {"id": "job-%d", "type": "sleep", "params": {"duration": "%s", "steps": 100},
                     "retry": {"maxAttempts": %d, "backoff": "PT0.1S"}}""".formatted(i, duration, maxAttempts));
        }
        JsonNode batch = service.post("/api/v1/batches",
                "{\"name\": \"crash-test\", \"maxParallelism\": 2, \"jobs\": [" + jobs + "]}");
        String id = batch.path("id").asString();
        await().atMost(LONG)
            .until(() -> service.get("/api/v1/batches/" + id).path("counts").path("running").asInt(),
                    running -> running == 2);
        service.get("/api/v1/batches?size=1"); // a list read flushes the store's
                                               // write-behind buffer
        return id;
    }

    /** total, pending, running, succeeded, failed, cancelled, skipped */
    private static List<Integer> counts(JsonNode batch) {
        List<Integer> counts = new ArrayList<>();
        for (String name : List.of("total", "pending", "running", "succeeded", "failed", "cancelled", "skipped")) {
            counts.add(batch.path("counts").path(name).asInt());
        }
        return counts;
    }

}
