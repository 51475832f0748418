package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.CALLER;
import static dev.failfast.engine.local.LocalEngine.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobFailedException;
import dev.failfast.job.JobHandler;
import dev.failfast.testing.ManualScheduler;
import dev.failfast.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Retry backoffs and deadlines on a manual scheduler: the engine's timers fire exactly
 * when the test moves the clock, and jobs run on the test's thread, so every step is
 * checked as it happens.
 */
class RetriesAndDeadlinesTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /** Fails its attempts before {@code succeedsAt} (a param), then succeeds. */
    static final class Flaky implements JobHandler<Integer> {

        @Override
        public String type() {
            return "flaky";
        }

        @Override
        public Integer parseParams(ObjectNode params, String tenant) {
            return params.path("succeedsAt").asInt(Integer.MAX_VALUE);
        }

        @Override
        public @Nullable Object execute(JobContext<Integer> context) throws JobFailedException {
            if (context.attempt() < context.params()) {
                throw new JobFailedException("FLAKY", "attempt " + context.attempt() + " failed");
            }
            return null;
        }

    }

    final SettableClock clock = new SettableClock(T0);

    final ManualScheduler scheduler = new ManualScheduler(clock);

    final LocalEngine local = LocalEngine.manual(Map.of(), List.of(new Flaky()), scheduler);

    @AfterEach
    void close() {
        local.close();
    }

    @Test
    void aFailedAttemptRunsAgainExactlyWhenItsBackoffEnds() {
        // backoff 1 s, then 2 s (multiplier 2); the third attempt succeeds
        Batch batch = local.engine.submit(CALLER,
                batch(FailurePolicy.FAIL_FAST, 1, flaky("a", 3, 3, Duration.ofSeconds(1))));
        assertThat(job(batch, "a")).satisfies(job -> {
            assertThat(job.state()).isEqualTo(JobState.RUNNING);
            assertThat(job.attempts()).isOne();
            assertThat(job.error().message()).isEqualTo("attempt 1 failed");
        });

        scheduler.advance(Duration.ofMillis(999));
        assertThat(job(batch, "a").attempts()).as("still waiting out the first backoff").isOne();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(job(batch, "a").attempts()).isEqualTo(2);

        scheduler.advance(Duration.ofMillis(1999));
        assertThat(job(batch, "a").attempts()).as("the second backoff is twice the first").isEqualTo(2);
        scheduler.advance(Duration.ofMillis(1));

        Job done = job(batch, "a");
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(done.startedAt()).as("the first attempt's start").isEqualTo(T0);
        assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(local.find(batch.id()).state()).isEqualTo(BatchState.SUCCEEDED);
    }

    @Test
    void theDeadlineCancelsARetryWaitingOutItsBackoffAndSkipsWhatWaits() {
        // maxParallelism 1: "a" keeps the batch's slot through its one-hour backoff, so
        // "b" waits.
        BatchSpec spec = new BatchSpec("deadline", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, Duration.ofMinutes(10),
                List.of(flaky("a", 5, 5, Duration.ofHours(1)), flaky("b", 1, 1, Duration.ofSeconds(1))));
        Batch batch = local.engine.submit(CALLER, spec);

        scheduler.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(local.find(batch.id()).state()).isEqualTo(BatchState.RUNNING);
        scheduler.advance(Duration.ofMillis(1));

        Batch ended = local.find(batch.id());
        assertThat(ended.state()).isEqualTo(BatchState.FAILED);
        assertThat(ended.cancellation().cause()).isEqualTo(CauseType.DEADLINE_EXCEEDED);
        assertThat(ended.cancellation().requestedAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(job(batch, "a")).satisfies(job -> {
            assertThat(job.state()).isEqualTo(JobState.CANCELLED);
            assertThat(job.error().message()).as("its last attempt's error stays").isEqualTo("attempt 1 failed");
        });
        assertThat(job(batch, "b").state()).isEqualTo(JobState.SKIPPED);
        assertThat(scheduler.pending()).as("the retry timer was cancelled with the batch").isZero();
    }

    /** Backoff {@code backoff}, doubling, at most an hour. */
    private static JobSpec flaky(String id, int succeedsAt, int maxAttempts, Duration backoff) {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("succeedsAt", succeedsAt);
        return new JobSpec(id, "flaky", params, null, new RetryPolicy(maxAttempts, backoff, 2.0, Duration.ofHours(1)));
    }

    private Job job(Batch batch, String jobId) {
        UUID id = batch.id();
        return local.store.findJob(id, jobId).orElseThrow();
    }

}
