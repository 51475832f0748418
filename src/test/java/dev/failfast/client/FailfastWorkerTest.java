package dev.failfast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Java worker of clients/java against the real service: batches of {@code remote:}
 * jobs run by it, and every way a cancel reaches its handlers. Each test has a tenant of
 * its own, so no worker of another test claims its jobs.
 */
@FailfastServerTest
class FailfastWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final AtomicInteger TENANTS = new AtomicInteger();

    @LocalServerPort
    int port;

    URI base;

    String key;

    ApiClient api;

    FailfastClient client;

    final List<FailfastWorker> workers = new ArrayList<>();

    @BeforeEach
    void keyOfItsOwnTenant() {
        base = URI.create("http://localhost:" + port);
        key = new ApiClient(port)
            .createKey("java-worker-" + TENANTS.incrementAndGet(), "batches:read", "batches:write", "batches:cancel",
                    "workers:run")
            .get("key")
            .asString();
        api = new ApiClient(port, key);
        client = FailfastClient.create(base, key);
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(FailfastWorker::stop);
    }

    private FailfastWorker worker(int concurrency) {
        FailfastWorker worker = FailfastWorker.builder(base, key)
            .concurrency(concurrency)
            .name("test worker")
            .claimWait(Duration.ofSeconds(5))
            .drainTimeout(Duration.ofSeconds(2))
            .build();
        workers.add(worker);
        return worker;
    }

    @Test
    void runsABatchOfRemoteJobsWithTheirResults() throws Exception {
        FailfastWorker worker = worker(4).job("double", job -> Map.of("doubled", job.params().get("n").asInt() * 2,
                "attempt", job.attempt(), "jobId", job.jobId(), "batchId", job.batchId(), "name", job.name()));
        worker.start();
        Batch.Builder batch = Batch.builder().name("remote");
        for (int n = 1; n <= 6; n++) {
            batch.remoteJob("job-" + n, "double", Map.of("n", n));
        }

        BatchStatus submitted = client.submit(batch.build());
        BatchStatus done = client.awaitTerminal(submitted.id(), WAIT);

        assertThat(done.state()).isEqualTo(BatchState.SUCCEEDED);
        List<JobStatus> jobs = client.jobs(submitted.id());
        assertThat(jobs).hasSize(6).allSatisfy(job -> {
            int n = Integer.parseInt(job.id().substring("job-".length()));
            assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(job.type()).isEqualTo("remote:double");
            assertThat(job.result().get("doubled").asInt()).isEqualTo(2 * n);
            assertThat(job.result().get("attempt").asInt()).isEqualTo(1);
            assertThat(job.result().get("jobId").asString()).isEqualTo(job.id());
            assertThat(job.result().get("batchId").asString()).isEqualTo(submitted.id());
            assertThat(job.result().get("name").asString()).isEqualTo("double");
        });
        await().atMost(WAIT).until(() -> worker.heldAttempts() == 0);
    }

    @Test
    void theFirstFailureCancelsTheRunningHandlersAtOnceAndSkipsThePendingOnes() throws Exception {
        CountDownLatch blocking = new CountDownLatch(3);
        Queue<String> interruptedWithTokenSet = new ConcurrentLinkedQueue<>();
        Queue<String> callbacks = new ConcurrentLinkedQueue<>();
        FailfastWorker worker = worker(4).job("block", job -> {
            job.token().onCancel(() -> callbacks.add(job.jobId() + ":" + job.token().reason()));
            blocking.countDown();
            try {
                new CountDownLatch(1).await(60, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                interruptedWithTokenSet.add(job.jobId() + ":" + job.token().isCancelled());
                throw e;
            }
            return "not cancelled";
        }).job("fail", job -> {
            if (!blocking.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the blocking jobs did not start");
            }
            throw new JobFailedException("S3_ERROR", "s3://bucket/key: 404 Not Found", 404);
        });
        worker.start();
        Batch.Builder batch = Batch.builder().maxParallelism(4);
        for (int n = 1; n <= 3; n++) {
            batch.remoteJob("block-" + n, "block", Map.of());
        }
        batch.remoteJob("fail", "fail", Map.of("key", "s3://bucket/key"));
        for (int n = 1; n <= 10; n++) {
            batch.remoteJob("pending-" + n, "block", Map.of());
        }

        BatchStatus submitted = client.submit(batch.build());
        BatchStatus done = client.awaitTerminal(submitted.id(), WAIT);

        assertThat(done.state()).isEqualTo(BatchState.FAILED);
        assertThat(done.cancellation().cause()).isEqualTo("JOB_FAILED");
        assertThat(done.cancellation().jobId()).isEqualTo("fail");
        assertThat(done.counts().cancelled()).isEqualTo(3);
        assertThat(done.counts().skipped()).isEqualTo(10);
        assertThat(interruptedWithTokenSet).containsExactlyInAnyOrder("block-1:true", "block-2:true", "block-3:true");
        assertThat(callbacks).containsExactlyInAnyOrder("block-1:BATCH_CANCELLED", "block-2:BATCH_CANCELLED",
                "block-3:BATCH_CANCELLED");
        JobStatus failed = client.job(submitted.id(), "fail");
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.failure()).hasValueSatisfying(error -> {
            assertThat(error.type()).isEqualTo("S3_ERROR");
            assertThat(error.message()).isEqualTo("s3://bucket/key: 404 Not Found");
            assertThat(error.httpStatus()).isEqualTo(404);
        });
        List<JobStatus> jobs = client.jobs(submitted.id());
        assertThat(jobs).filteredOn(job -> job.id().startsWith("block-"))
            .extracting(JobStatus::state)
            .containsOnly(JobState.CANCELLED);
        assertThat(jobs).filteredOn(job -> job.id().startsWith("pending-"))
            .allSatisfy(job -> assertThat(job.state()).isEqualTo(JobState.SKIPPED))
            .allSatisfy(job -> assertThat(job.attempts()).isZero());
        await().atMost(WAIT).until(() -> worker.heldAttempts() == 0);
    }

    @Test
    void anExceptionIsAJobErrorAndAFailureTypeAndStatusReachTheJob() throws Exception {
        FailfastWorker worker = worker(2).job("broken", job -> {
            throw new IllegalStateException("no disk");
        }).job("missing", job -> {
            throw new JobFailedException("NOT_FOUND", "gone", 410, null);
        });
        worker.start();

        BatchStatus broken = client.submit(Batch.builder().remoteJob("a", "broken", Map.of()).build());
        BatchStatus missing = client.submit(Batch.builder().remoteJob("b", "missing", Map.of()).build());

        assertThat(client.awaitTerminal(broken.id(), WAIT).state()).isEqualTo(BatchState.FAILED);
        assertThat(client.job(broken.id(), "a").failure()).hasValueSatisfying(error -> {
            assertThat(error.type()).isEqualTo("JOB_ERROR");
            assertThat(error.message()).isEqualTo("no disk");
            assertThat(error.httpStatus()).isNull();
        });
        assertThat(client.awaitTerminal(missing.id(), WAIT).state()).isEqualTo(BatchState.FAILED);
        assertThat(client.job(missing.id(), "b").failure()).hasValueSatisfying(error -> {
            assertThat(error.type()).isEqualTo("NOT_FOUND");
            assertThat(error.message()).isEqualTo("gone");
            assertThat(error.httpStatus()).isEqualTo(410);
        });
    }

    @Test
    void aUsersCancelReachesTheHandler() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        FailfastWorker worker = worker(1).job("wait", job -> {
            started.countDown();
            // The token's wait returns early on the cancel (its interrupt is kept for the
            // handler).
            boolean cancelled = job.token().await(Duration.ofSeconds(60));
            seen.add("cancelled=" + cancelled + " interrupted=" + Thread.currentThread().isInterrupted() + " reason="
                    + job.token().reason());
            job.token().throwIfCancelled();
            return "not cancelled";
        });
        worker.start();
        BatchStatus submitted = client.submit(Batch.builder().remoteJob("w", "wait", Map.of()).build());
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        client.cancel(submitted.id(), "not needed");

        BatchStatus done = client.awaitTerminal(submitted.id(), WAIT);
        assertThat(done.state()).isEqualTo(BatchState.CANCELLED);
        assertThat(done.cancellation().cause()).isEqualTo("USER_REQUESTED");
        assertThat(seen).containsExactly("cancelled=true interrupted=true reason=BATCH_CANCELLED");
        JobStatus job = client.job(submitted.id(), "w");
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.json().get("abandoned").asBoolean()).isFalse();
    }

    @Test
    void stopEndsTheSessionAndRunReturns() throws Exception {
        FailfastWorker worker = worker(1).job("noop", job -> null);
        worker.start();
        String id = worker.id();
        assertThat(api.get("/api/v1/workers/" + id).status()).isEqualTo(200);
        Thread runner = new Thread(() -> {
            try {
                worker.run();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        runner.start();

        worker.stop();

        runner.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(runner.isAlive()).isFalse();
        assertThat(worker.isRunning()).isFalse();
        assertThat(api.get("/api/v1/workers/" + id).status()).isEqualTo(404);
        assertThatThrownBy(worker::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aKeyWithoutTheWorkerScopeCannotStartAWorker() {
        String batchesOnly = new ApiClient(port).createKey("java-worker-x", "batches:read").get("key").asString();
        FailfastWorker worker = FailfastWorker.builder(base, batchesOnly).build().job("noop", job -> null);
        workers.add(worker);

        assertThatThrownBy(worker::start).isInstanceOfSatisfying(FailfastApiException.class, e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.problem().get("requiredScope").asString()).isEqualTo("workers:run");
        });
    }

    @Test
    void aJobsTimeoutCancelsItsHandler() throws Exception {
        Queue<String> reasons = new ConcurrentLinkedQueue<>();
        FailfastWorker worker = worker(1).job("slow", job -> {
            if (job.token().await(Duration.ofSeconds(60))) {
                reasons.add(job.token().reason());
            }
            return "not cancelled";
        });
        worker.start();
        ObjectNode job = Transport.JSON.createObjectNode()
            .put("id", "slow")
            .put("type", "remote:slow")
            .put("timeout", "PT0.3S");

        BatchStatus submitted = client.submit(Batch.builder().job(job).build());

        assertThat(client.awaitTerminal(submitted.id(), WAIT).state()).isEqualTo(BatchState.FAILED);
        assertThat(client.job(submitted.id(), "slow").failure()).map(JobStatus.JobError::type).hasValue("TIMEOUT");
        assertThat(reasons).containsExactly("TIMEOUT");
    }

    @Test
    void progressIsShownWithTheWorkersAttempts() throws Exception {
        FailfastWorker worker = worker(1).job("report", job -> {
            job.progress(Map.of("files", 3));
            job.token().await(Duration.ofSeconds(60));
            job.token().throwIfCancelled();
            return null;
        });
        worker.start();
        BatchStatus submitted = client.submit(Batch.builder().remoteJob("r", "report", Map.of()).build());

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode attempts = api.get("/api/v1/workers/" + worker.id()).json().get("attempts");
            assertThat(attempts).hasSize(1);
            assertThat(attempts.get(0).get("jobId").asString()).isEqualTo("r");
            assertThat(attempts.get(0).path("progress").path("files").asInt()).isEqualTo(3);
        });
        client.cancel(submitted.id(), null);
        assertThat(client.awaitTerminal(submitted.id(), WAIT).state()).isEqualTo(BatchState.CANCELLED);
    }

    @Test
    void aWorkerWhoseSessionEndedRegistersAgainAndGoesOn() throws Exception {
        FailfastWorker worker = worker(2).job("echo", job -> job.params());
        worker.start();
        String first = worker.id();

        assertThat(api.delete("/api/v1/workers/" + first).status()).isEqualTo(204);

        await().atMost(WAIT).until(() -> !first.equals(worker.id()));
        assertThat(api.get("/api/v1/workers/" + worker.id()).status()).isEqualTo(200);
        BatchStatus submitted = client.submit(Batch.builder().remoteJob("e", "echo", Map.of("x", 1)).build());
        assertThat(client.awaitTerminal(submitted.id(), WAIT).state()).isEqualTo(BatchState.SUCCEEDED);
        assertThat(client.job(submitted.id(), "e").result().get("x").asInt()).isEqualTo(1);
    }

    @Test
    void aRetryAfterDefersTheJobInsteadOfFailingIt() throws Exception {
        FailfastWorker worker = worker(1).job("flaky", job -> {
            if (job.attempt() == 1) {
                throw new JobFailedException("RATE_LIMITED", "slow down", 429, Duration.ofMillis(200));
            }
            return Map.of("attempt", job.attempt());
        });
        worker.start();

        BatchStatus submitted = client.submit(Batch.builder().remoteJob("f", "flaky", Map.of()).build());

        assertThat(client.awaitTerminal(submitted.id(), WAIT).state()).isEqualTo(BatchState.SUCCEEDED);
        JobStatus job = client.job(submitted.id(), "f");
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(job.json().get("deferrals").asInt()).isEqualTo(1);
        assertThat(job.result().get("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void aHandlerThatIgnoresItsCancelIsAbandonedAndItsLateReportRefused() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger interrupts = new AtomicInteger();
        FailfastWorker worker = worker(1).job("stubborn", job -> {
            while (true) {
                try {
                    if (release.await(60, TimeUnit.SECONDS)) {
                        return "late";
                    }
                }
                catch (InterruptedException ignored) {
                    interrupts.incrementAndGet();
                }
            }
        }).job("quick", job -> "quick");
        worker.start();
        BatchStatus stubborn = client.submit(Batch.builder().remoteJob("s", "stubborn", Map.of()).build());
        await().atMost(WAIT).until(() -> worker.heldAttempts() == 1);

        client.cancel(stubborn.id(), null);

        assertThat(client.awaitTerminal(stubborn.id(), WAIT).state()).isEqualTo(BatchState.CANCELLED);
        JobStatus job = client.job(stubborn.id(), "s");
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.json().get("abandoned").asBoolean()).isTrue();
        assertThat(interrupts).hasValue(1);
        release.countDown();
        // The late report is refused (409); the worker frees the thread and runs the next
        // job.
        await().atMost(WAIT).until(() -> worker.heldAttempts() == 0);
        BatchStatus next = client.submit(Batch.builder().remoteJob("q", "quick", Map.of()).build());
        assertThat(client.awaitTerminal(next.id(), WAIT).state()).isEqualTo(BatchState.SUCCEEDED);
        assertThat(client.job(stubborn.id(), "s").result().isNull()).isTrue();
    }

    @Test
    void aHandlerMayStopItsWorker() throws Exception {
        FailfastWorker[] self = new FailfastWorker[1];
        FailfastWorker worker = worker(1).job("last", job -> {
            self[0].stop();
            return "bye";
        });
        self[0] = worker;
        worker.start();
        String id = worker.id();

        BatchStatus submitted = client.submit(Batch.builder().remoteJob("l", "last", Map.of()).build());

        assertThat(client.awaitTerminal(submitted.id(), WAIT).state()).isEqualTo(BatchState.SUCCEEDED);
        assertThat(client.job(submitted.id(), "l").result().asString()).isEqualTo("bye");
        await().atMost(WAIT).until(() -> api.get("/api/v1/workers/" + id).status() == 404);
        worker.run(); // returns at once: stopped
        assertThat(worker.isRunning()).isFalse();
    }

    @Test
    void withoutItsEventStreamAWorkerLearnsOfACancelFromItsHeartbeat() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Queue<String> reasons = new ConcurrentLinkedQueue<>();
        FailfastWorker worker = FailfastWorker.builder(base, key).concurrency(1).withoutEventStream().build();
        workers.add(worker);
        worker.job("wait", job -> {
            started.countDown();
            if (job.token().await(Duration.ofSeconds(60))) {
                reasons.add(job.token().reason());
            }
            return null;
        });
        worker.start();
        BatchStatus submitted = client.submit(Batch.builder().remoteJob("w", "wait", Map.of()).build());
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        client.cancel(submitted.id(), null);

        // A heartbeat comes every heartbeatInterval (5 s): one within the cancel grace (1
        // s
        // here) lists the attempt as cancelled; a later one finds it given up, so
        // unknown.
        await().atMost(WAIT).until(() -> !reasons.isEmpty());
        assertThat(reasons).hasSize(1).first().isIn("BATCH_CANCELLED", "UNKNOWN");
        assertThat(client.awaitTerminal(submitted.id(), WAIT).state()).isEqualTo(BatchState.CANCELLED);
        await().atMost(WAIT).until(() -> worker.heldAttempts() == 0);
    }

}
