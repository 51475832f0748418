package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.CALLER;
import static dev.failfast.engine.local.LocalEngine.batch;
import static dev.failfast.engine.local.LocalEngine.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.engine.AdmissionRejectedException;
import dev.failfast.job.JobContext;
import dev.failfast.store.PageRequest;
import dev.failfast.testing.RawParamsHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Jobs that ignore their cancellation and timeout: they are abandoned after the grace
 * period, and then count neither against their batch nor against the pool, up to
 * failfast.executor.max-abandoned.
 */
class StuckJobsTest {

    /** Ignores every interrupt until released; counts the attempts running at once. */
    static final class Stuck extends RawParamsHandler {

        Stuck() {
            super("stuck");
        }

        final CountDownLatch release = new CountDownLatch(1);

        final AtomicInteger running = new AtomicInteger();

        final AtomicInteger mostAtOnce = new AtomicInteger();

        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) {
            attempts.incrementAndGet();
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                boolean interrupted = false;
                while (true) {
                    try {
                        release.await();
                        break;
                    }
                    catch (InterruptedException e) {
                        interrupted = true; // ignored on purpose: this job does not
                                            // honour cancellation
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
            finally {
                running.decrementAndGet();
            }
        }

    }

    /** Returns at once. */
    static final class Quick extends RawParamsHandler {

        Quick() {
            super("quick");
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) {
            return null;
        }

    }

    final Stuck stuck = new Stuck();

    final LocalEngine local = new LocalEngine(
            Map.of("executor.pool-size", "2", "executor.max-abandoned", "3", "engine.cancel-grace", "100ms"),
            List.of(stuck, new Quick()));

    @AfterEach
    void close() {
        stuck.release.countDown();
        local.close();
    }

    @Test
    void abandonedAttemptsFreeThePoolForOtherBatchesUpToMaxAbandoned() {
        Duration timeout = Duration.ofMillis(100);
        Batch stuckBatch = local.engine.submit(CALLER,
                batch(FailurePolicy.CONTINUE, 2, job("s0", "stuck", timeout, 1), job("s1", "stuck", timeout, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> local.find(stuckBatch.id()).state().isTerminal());

        // Both pool threads are still stuck; the pool has room for them beside live work.
        Batch quick = local.engine.submit(CALLER, batch(FailurePolicy.FAIL_FAST, 2, job("q0", "quick", null, 1),
                job("q1", "quick", null, 1), job("q2", "quick", null, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> local.find(quick.id()).state() == BatchState.SUCCEEDED);
        assertThat(local.find(stuckBatch.id()).state()).isEqualTo(BatchState.FAILED);
        assertThat(jobs(stuckBatch.id())).allSatisfy(job -> {
            assertThat(job.state()).isEqualTo(JobState.FAILED);
            assertThat(job.abandoned()).isTrue();
            assertThat(job.error().type()).isEqualTo(JobError.TIMEOUT);
        });
        // The dispatcher hears of an abandonment just after the batch's lock is released.
        await().atMost(Duration.ofSeconds(10)).until(() -> local.engine.abandonedThreads() == 2);
        assertThat(local.engine.attemptsInFlight()).isZero();
        assertThat(local.engine.isSaturatedByAbandonedThreads()).isFalse();

        Batch third = local.engine.submit(CALLER, batch(FailurePolicy.FAIL_FAST, 1, job("s2", "stuck", timeout, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> local.find(third.id()).state().isTerminal());
        await().atMost(Duration.ofSeconds(10)).until(() -> local.engine.abandonedThreads() == 3);
        assertThat(local.engine.isSaturatedByAbandonedThreads()).isTrue();
        assertThatThrownBy(
                () -> local.engine.submit(CALLER, batch(FailurePolicy.FAIL_FAST, 1, job("x", "quick", null, 1))))
            .isInstanceOf(AdmissionRejectedException.class)
            .hasMessageContaining("max-abandoned");

        stuck.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> local.engine.abandonedThreads() == 0);
        assertThat(local.engine.isSaturatedByAbandonedThreads()).isFalse();
        Batch after = local.engine.submit(CALLER, batch(FailurePolicy.FAIL_FAST, 1, job("y", "quick", null, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> local.find(after.id()).state() == BatchState.SUCCEEDED);
    }

    @Test
    void aBatchGoesOnAfterItsTimedOutStuckJobIsAbandoned() {
        // maxParallelism 1: the stuck job holds the batch's only slot until it is
        // abandoned.
        Batch batch = local.engine.submit(CALLER, batch(FailurePolicy.CONTINUE, 1,
                job("stuck", "stuck", Duration.ofMillis(100), 1), job("next", "quick", null, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> local.find(batch.id()).state().isTerminal());

        assertThat(local.find(batch.id()).state()).isEqualTo(BatchState.FAILED);
        assertThat(local.find(batch.id()).counts().succeeded()).as("the job after the stuck one ran").isOne();
        assertThat(stuck.running.get()).as("the stuck thread is still running").isOne();
    }

    @Test
    void anAbandonedAttemptIsNeverRetriedWhileItsThreadRuns() {
        Batch batch = local.engine.submit(CALLER,
                batch(FailurePolicy.FAIL_FAST, 1, job("stuck", "stuck", Duration.ofMillis(100), 3)));

        await().atMost(Duration.ofSeconds(10)).until(() -> local.find(batch.id()).state().isTerminal());

        Job job = jobs(batch.id()).getFirst();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.abandoned()).as("the abandonment is on the job").isTrue();
        assertThat(job.attempts()).isOne();
        assertThat(stuck.attempts.get()).isOne();
        assertThat(stuck.mostAtOnce.get()).isOne();
    }

    private List<Job> jobs(UUID batchId) {
        return local.store.findJobs(batchId, null, new PageRequest(0, 100)).content();
    }

}
