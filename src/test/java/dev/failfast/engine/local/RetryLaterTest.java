package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.CALLER;
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
import dev.failfast.job.RetryLaterException;
import dev.failfast.testing.ManualScheduler;
import dev.failfast.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A target that asks to be called again later ({@link RetryLaterException}, as the
 * {@code http} job throws on 429/503 with {@code Retry-After}) holds its job back without
 * failing it, on a single instance: the attempt runs again after the wait it asked for
 * (cut to {@code failfast.engine.max-retry-later}, never past the deadline), counts no
 * failed attempt and never triggers the failure policy, and a job deferred
 * {@code max-deferrals-per-job} times fails like any failure at the next request to wait.
 */
class RetryLaterTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /**
     * Asks to be called again after {@code retryAfter} (seconds) for its first
     * {@code busyCalls} calls, then succeeds.
     */
    static final class Busy implements JobHandler<ObjectNode> {

        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String type() {
            return "busy";
        }

        @Override
        public ObjectNode parseParams(ObjectNode params, String tenant) {
            return params;
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) throws JobFailedException {
            int call = calls.incrementAndGet();
            if (call <= context.params().path("busyCalls").asInt()) {
                long seconds = context.params().path("retryAfter").asLong();
                throw new RetryLaterException(Duration.ofSeconds(seconds), "HTTP_STATUS",
                        "503 Service Unavailable; Retry-After: " + seconds);
            }
            return null;
        }

    }

    final SettableClock clock = new SettableClock(T0);

    final ManualScheduler scheduler = new ManualScheduler(clock);

    final Busy busy = new Busy();

    @Nullable LocalEngine local;

    @AfterEach
    void close() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void aDeferredJobRunsAgainWhenItsTargetAskedWithoutCountingAFailedAttempt() {
        LocalEngine engine = engine(Map.of());
        // No retries at all: a failed attempt would fail the job, and FAIL_FAST the
        // batch.
        Batch batch = engine.engine.submit(CALLER, batch(null, busy(2, 30, RetryPolicy.NONE)));

        Job waiting = job(engine, batch);
        assertThat(waiting.state()).isEqualTo(JobState.RUNNING);
        assertThat(waiting.attempts()).isOne();
        assertThat(waiting.deferrals()).isOne();
        assertThat(waiting.error().type()).as("why it waits").isEqualTo("HTTP_STATUS");
        assertThat(waiting.error().message()).contains("Retry-After: 30");
        assertThat(engine.find(batch.id()).counts().failed()).isZero();

        scheduler.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(job(engine, batch).attempts()).as("still waiting").isOne();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(job(engine, batch).deferrals()).isEqualTo(2);

        scheduler.advance(Duration.ofSeconds(30));
        Job done = job(engine, batch);
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(done.deferrals()).isEqualTo(2);
        assertThat(done.countedAttempts()).isOne();
        assertThat(done.startedAt()).as("the first call's start").isEqualTo(T0);
        assertThat(engine.find(batch.id()).state()).isEqualTo(BatchState.SUCCEEDED);
    }

    @Test
    void aLongerWaitThanTheSettingAllowsIsCutToIt() {
        LocalEngine engine = engine(Map.of("engine.max-retry-later", "10s"));
        Batch batch = engine.engine.submit(CALLER, batch(null, busy(1, 3600, RetryPolicy.NONE)));

        scheduler.advance(Duration.ofSeconds(10).minusMillis(1));
        assertThat(job(engine, batch).state()).isEqualTo(JobState.RUNNING);
        scheduler.advance(Duration.ofMillis(1));

        assertThat(job(engine, batch).state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(busy.calls).hasValue(2);
    }

    @Test
    void aTargetAskingForNoWaitAtAllWaitsTheRetryFloor() {
        // Retry-After: 0 (or a date in the past): without the floor each job would be
        // called again at once, max-deferrals-per-job times.
        LocalEngine engine = engine(Map.of("limits.min-retry-backoff", "2s"));
        Batch batch = engine.engine.submit(CALLER, batch(null, busy(1, 0, RetryPolicy.NONE)));

        assertThat(busy.calls).as("not called again at once").hasValue(1);
        assertThat(job(engine, batch).deferrals()).isOne();
        assertThat(scheduler.nextDue()).hasValue(T0.plus(Duration.ofSeconds(2)));
        scheduler.advance(Duration.ofSeconds(2).minusMillis(1));
        assertThat(busy.calls).as("still waiting the floor").hasValue(1);
        scheduler.advance(Duration.ofMillis(1));

        assertThat(job(engine, batch).state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(busy.calls).hasValue(2);
    }

    @Test
    void theWaitNeverGoesPastTheDeadlineWhichCancelsTheWaitingJob() {
        LocalEngine engine = engine(Map.of());
        // Asks for 4 minutes (within the 5-minute cap); the deadline is in one.
        Batch batch = engine.engine.submit(CALLER, batch(Duration.ofMinutes(1), busy(5, 240, RetryPolicy.NONE)));
        assertThat(scheduler.nextDue()).as("the deferral's timer ends by the deadline")
            .hasValueSatisfying(due -> assertThat(due).isBeforeOrEqualTo(T0.plus(Duration.ofMinutes(1))));

        scheduler.advance(Duration.ofMinutes(1));

        Batch ended = engine.find(batch.id());
        assertThat(ended.state()).isEqualTo(BatchState.FAILED);
        assertThat(ended.cancellation().cause()).isEqualTo(CauseType.DEADLINE_EXCEEDED);
        Job job = job(engine, batch);
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.error().type()).as("why it was waiting").isEqualTo("HTTP_STATUS");
        assertThat(scheduler.pending()).as("nothing waits any more").isZero();
    }

    @Test
    void aJobDeferredAsOftenAsAllowedFailsWithTheTargetsErrorAtTheNextRequestToWait() {
        LocalEngine engine = engine(Map.of("engine.max-deferrals-per-job", "2"));
        Batch batch = engine.engine.submit(CALLER, batch(null, busy(100, 1, RetryPolicy.NONE)));

        scheduler.advance(Duration.ofSeconds(1));
        scheduler.advance(Duration.ofSeconds(1));

        Job failed = job(engine, batch);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.deferrals()).isEqualTo(2);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.error().type()).isEqualTo("HTTP_STATUS");
        assertThat(failed.error().message()).isEqualTo("503 Service Unavailable; Retry-After: 1");
        Batch ended = engine.find(batch.id());
        assertThat(ended.state()).as("a failure like any other: FAIL_FAST stops the batch")
            .isEqualTo(BatchState.FAILED);
        assertThat(ended.cancellation().cause()).isEqualTo(CauseType.JOB_FAILED);
        assertThat(busy.calls).hasValue(3);
    }

    @Test
    void onceDeferralsAreUsedUpARequestToWaitIsRetriedAsAFailedAttempt() {
        LocalEngine engine = engine(Map.of("engine.max-deferrals-per-job", "1"));
        var retry = new RetryPolicy(2, Duration.ofSeconds(5), 1.0, Duration.ofSeconds(5));
        Batch batch = engine.engine.submit(CALLER, batch(null, busy(2, 60, retry)));

        scheduler.advance(Duration.ofSeconds(60)); // deferred once, then a failed attempt
        Job retrying = job(engine, batch);
        assertThat(retrying.state()).isEqualTo(JobState.RUNNING);
        assertThat(retrying.countedAttempts()).isOne();
        scheduler.advance(Duration.ofSeconds(5)); // its retry backoff, not the 60 s asked

        assertThat(job(engine, batch).state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aClientsCancelDuringTheWaitCancelsTheJobAndItsTimer() {
        LocalEngine engine = engine(Map.of());
        Batch batch = engine.engine.submit(CALLER, batch(null, busy(1, 120, RetryPolicy.NONE)));

        engine.engine.cancel(CALLER, batch.id(), "enough");

        Job job = job(engine, batch);
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.deferrals()).isOne();
        assertThat(engine.find(batch.id()).state()).isEqualTo(BatchState.CANCELLED);
        assertThat(scheduler.pending()).isZero();
        assertThat(busy.calls).hasValue(1);
    }

    private LocalEngine engine(Map<String, String> settings) {
        local = LocalEngine.manual(settings, List.of(busy), scheduler);
        return local;
    }

    private static BatchSpec batch(@Nullable Duration deadline, JobSpec job) {
        return new BatchSpec("busy", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, deadline, List.of(job));
    }

    private static JobSpec busy(int busyCalls, long retryAfterSeconds, RetryPolicy retry) {
        ObjectNode params = JsonNodeFactory.instance.objectNode()
            .put("busyCalls", busyCalls)
            .put("retryAfter", retryAfterSeconds);
        return new JobSpec("job", "busy", params, null, retry);
    }

    private static Job job(LocalEngine engine, Batch batch) {
        return engine.store.findJob(batch.id(), "job").orElseThrow();
    }

}
