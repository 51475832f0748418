package dev.failfast.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.JsonNodeFactory;

/** The one rule both engines apply to an attempt's outcome, as a table. */
class AttemptOutcomesTest {

    static final Instant STARTED = Instant.parse("2026-12-01T10:00:00Z");
    static final Instant NOW = STARTED.plusSeconds(3);
    static final JobError BOOM = new JobError(JobError.JOB_ERROR, "boom", null);

    @ParameterizedTest(name = "{0} on attempt {1} of {2}, batch stopping {3} -> {4}")
    @CsvSource(textBlock = """
            # outcome,             attempt, of, stopping, state,     abandoned, error,     finished
            SUCCEEDED,             1,       1,  false,    SUCCEEDED, false,     ,          true
            SUCCEEDED,             1,       3,  true,     SUCCEEDED, false,     ,          true
            FAILED,                1,       3,  false,    RUNNING,   false,     JOB_ERROR, false
            FAILED,                3,       3,  false,    FAILED,    false,     JOB_ERROR, true
            FAILED,                1,       3,  true,     FAILED,    false,     JOB_ERROR, true
            STOPPED_BY_TIMEOUT,    1,       2,  false,    RUNNING,   false,     TIMEOUT,   false
            STOPPED_BY_TIMEOUT,    2,       2,  false,    FAILED,    false,     TIMEOUT,   true
            STOPPED_BY_TIMEOUT,    1,       2,  true,     FAILED,    false,     TIMEOUT,   true
            STOPPED_BY_CANCEL,     1,       3,  true,     CANCELLED, false,     ,          true
            ABANDONED_AT_TIMEOUT,  1,       3,  false,    FAILED,    true,      TIMEOUT,   true
            ABANDONED_AT_CANCEL,   1,       3,  true,     CANCELLED, true,      ,          true
            DEFERRED,              1,       1,  false,    RUNNING,   false,     BUSY,      false
            DEFERRED,              3,       3,  false,    RUNNING,   false,     BUSY,      false
            DEFERRED,              1,       3,  true,     CANCELLED, false,     BUSY,      true
            """)
    void anOutcomeMovesItsJobOn(Kind outcome, int attempt, int maxAttempts, boolean stopping, JobState state,
            boolean abandoned, @Nullable String error, boolean finished) {
        Job running = running(attempt, maxAttempts);

        Job after = AttemptOutcomes.jobAfter(running, outcome.outcome(), stopping, NOW);

        assertThat(after.state()).isEqualTo(state);
        assertThat(after.abandoned()).isEqualTo(abandoned);
        assertThat(after.error() == null ? null : after.error().type()).isEqualTo(error);
        assertThat(after.finishedAt()).isEqualTo(finished ? NOW : null);
        assertThat(after.attempts()).isEqualTo(attempt);
        assertThat(after.startedAt()).isEqualTo(STARTED);
    }

    enum Kind {

        SUCCEEDED, FAILED, STOPPED_BY_TIMEOUT, STOPPED_BY_CANCEL, ABANDONED_AT_TIMEOUT, ABANDONED_AT_CANCEL, DEFERRED;

        Outcome outcome() {
            return switch (this) {
                case SUCCEEDED -> new Outcome.Succeeded(null);
                case FAILED -> new Outcome.Failed(BOOM);
                case STOPPED_BY_TIMEOUT -> new Outcome.Stopped(StopReason.TIMEOUT);
                case STOPPED_BY_CANCEL -> new Outcome.Stopped(StopReason.BATCH_CANCELLED);
                case ABANDONED_AT_TIMEOUT -> new Outcome.Abandoned(StopReason.TIMEOUT);
                case ABANDONED_AT_CANCEL -> new Outcome.Abandoned(StopReason.BATCH_CANCELLED);
                case DEFERRED -> new Outcome.Deferred(new JobError("BUSY", "503", null), Duration.ofSeconds(30));
            };
        }

    }

    /**
     * A deferred attempt does not count against {@code maxAttempts}: after one, a job
     * with one attempt allowed still has its attempt, and a failure is retried only
     * within the attempts that count.
     */
    @Test
    void deferredAttemptsDoNotCountAgainstMaxAttempts() {
        var deferred = new Outcome.Deferred(new JobError("BUSY", "503", null), Duration.ofSeconds(30));
        Job waiting = AttemptOutcomes.jobAfter(running(1, 2), deferred, false, NOW);
        assertThat(waiting.deferrals()).isOne();
        assertThat(waiting.countedAttempts()).isZero();

        Job second = AttemptOutcomes.jobAfter(waiting.started(2, NOW), new Outcome.Failed(BOOM), false, NOW);
        assertThat(second.state()).as("one counted attempt of two: retried").isEqualTo(JobState.RUNNING);
        Job third = AttemptOutcomes.jobAfter(second.started(3, NOW), new Outcome.Failed(BOOM), false, NOW);
        assertThat(third.state()).as("two counted attempts of two").isEqualTo(JobState.FAILED);
        assertThat(third.attempts()).isEqualTo(3);
        assertThat(third.deferrals()).isOne();
    }

    private static Job running(int attempt, int maxAttempts) {
        var retry = new RetryPolicy(maxAttempts, Duration.ofSeconds(1), 1.0, Duration.ofSeconds(1));
        var spec = new JobSpec("a", "sleep", JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(1), retry);
        Job job = Job.pending(spec).started(1, STARTED);
        for (int n = 2; n <= attempt; n++) {
            job = job.retrying(BOOM, STARTED.plusSeconds(n)).started(n, STARTED.plusSeconds(n));
        }
        return job;
    }

}
