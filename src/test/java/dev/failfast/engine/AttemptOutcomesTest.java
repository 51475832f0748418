package dev.failfast.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.ErrorAction;
import dev.failfast.batch.ErrorRule;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.batch.TestBatches;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
     * The batch's {@code onError} rules decide a failed attempt: a rule that matches it
     * (here one with no condition, so it matches every failure) or, in the table's NONE
     * rows, none.
     */
    @ParameterizedTest(name = "{0} (retry {1}) on {2}, attempt {3} of {4}, stopping {5} -> {6}, ignored {7}")
    @CsvSource(textBlock = """
            # action,   rule attempts, outcome,              attempt, of, stopping, state,     ignored, abandoned
            NONE,       0,             FAILED,               1,       3,  false,    RUNNING,   false,   false
            NONE,       0,             FAILED,               3,       3,  false,    FAILED,    false,   false
            RETRY,      0,             FAILED,               1,       3,  false,    RUNNING,   false,   false
            RETRY,      0,             FAILED,               3,       3,  false,    FAILED,    false,   false
            # the rule's retry instead of the job's, more or fewer attempts
            RETRY,      5,             FAILED,               3,       1,  false,    RUNNING,   false,   false
            RETRY,      5,             FAILED,               5,       1,  false,    FAILED,    false,   false
            RETRY,      2,             FAILED,               2,       5,  false,    FAILED,    false,   false
            RETRY,      5,             FAILED,               1,       1,  true,     FAILED,    false,   false
            RETRY,      5,             STOPPED_BY_TIMEOUT,   1,       1,  false,    RUNNING,   false,   false
            RETRY,      5,             ABANDONED_AT_TIMEOUT, 1,       1,  false,    FAILED,    false,   true
            COUNT,      0,             FAILED,               1,       3,  false,    FAILED,    false,   false
            FAIL_BATCH, 0,             FAILED,               1,       3,  false,    FAILED,    false,   false
            IGNORE,     0,             FAILED,               1,       3,  false,    FAILED,    true,    false
            IGNORE,     0,             STOPPED_BY_TIMEOUT,   1,       3,  false,    FAILED,    true,    false
            IGNORE,     0,             ABANDONED_AT_TIMEOUT, 1,       3,  false,    FAILED,    true,    true
            # a rule the client wrote wins over a target's request to wait, unless it retries
            COUNT,      0,             DEFERRED,             1,       3,  false,    FAILED,    false,   false
            FAIL_BATCH, 0,             DEFERRED,             1,       3,  false,    FAILED,    false,   false
            IGNORE,     0,             DEFERRED,             1,       3,  false,    FAILED,    true,    false
            RETRY,      0,             DEFERRED,             1,       1,  false,    RUNNING,   false,   false
            RETRY,      0,             DEFERRED,             1,       1,  true,     CANCELLED, false,   false
            # rules decide failures only
            COUNT,      0,             STOPPED_BY_CANCEL,    1,       3,  true,     CANCELLED, false,   false
            IGNORE,     0,             SUCCEEDED,            1,       3,  false,    SUCCEEDED, false,   false
            """)
    void aMatchingRuleDecidesAFailedAttempt(String action, int ruleAttempts, Kind outcome, int attempt, int maxAttempts,
            boolean stopping, JobState state, boolean ignored, boolean abandoned) {
        Job running = running(attempt, maxAttempts);

        Job after = AttemptOutcomes.jobAfter(running, outcome.outcome(), policies(action, ruleAttempts), stopping, NOW);

        assertThat(after.state()).isEqualTo(state);
        assertThat(after.ignored()).isEqualTo(ignored);
        assertThat(after.abandoned()).isEqualTo(abandoned);
        assertThat(after.deferrals()).isEqualTo(outcome == Kind.DEFERRED && "RETRY".equals(action) ? 1 : 0);
    }

    @Test
    void theNextAttemptWaitsAsTheRetryingPolicySaysAndSaysWhy() {
        Job byJob = AttemptOutcomes.jobAfter(running(1, 3), new Outcome.Failed(BOOM), BatchPolicies.NONE, false, NOW);
        var jobPolicy = AttemptOutcomes.nextAttempt(byJob, new Outcome.Failed(BOOM), batch(BatchPolicies.NONE),
                Deferrals.NONE, NOW);
        assertThat(jobPolicy)
            .isEqualTo(new Backoff(Duration.ofSeconds(1), "job retry policy: attempt 2 of 3, backoff PT1S"));

        var rules = new BatchPolicies(null, 0,
                List.of(new ErrorRule(JobError.IO, null, null, null, ErrorAction.COUNT, null),
                        new ErrorRule(null, null, null, null, ErrorAction.RETRY,
                                new RetryPolicy(4, Duration.ofSeconds(3), 2.0, Duration.ofSeconds(10)))),
                null);
        Job byRule = AttemptOutcomes.jobAfter(running(2, 1), new Outcome.Failed(BOOM), rules, false, NOW);
        assertThat(AttemptOutcomes.nextAttempt(byRule, new Outcome.Failed(BOOM), batch(rules), Deferrals.NONE, NOW))
            .isEqualTo(new Backoff(Duration.ofSeconds(6), "retry policy of onError[1]: attempt 3 of 4, backoff PT6S"));

        var deferrals = new Deferrals(Duration.ofMillis(100), Duration.ofMinutes(5), 10);
        var later = new Outcome.Deferred(new JobError(JobError.HTTP_STATUS, "429", null, 429), Duration.ofHours(1));
        Job deferred = AttemptOutcomes.jobAfter(running(1, 1), later, BatchPolicies.NONE, false, NOW);
        assertThat(AttemptOutcomes.nextAttempt(deferred, later, batch(BatchPolicies.NONE), deferrals, NOW))
            .isEqualTo(new Backoff(Duration.ofMinutes(5),
                    "Retry-After PT1H asked, capped to PT5M (failfast.engine.max-retry-later)"));
        var now = new Outcome.Deferred(new JobError(JobError.HTTP_STATUS, "429", null, 429), Duration.ZERO);
        assertThat(AttemptOutcomes.nextAttempt(deferred, now, batch(BatchPolicies.NONE), deferrals, NOW).reason())
            .isEqualTo("Retry-After PT0S asked, raised to PT0.1S (failfast.limits.min-retry-backoff)");
    }

    private static BatchPolicies policies(String action, int ruleAttempts) {
        if (action.equals("NONE")) {
            return new BatchPolicies(null, 0,
                    List.of(new ErrorRule("NO_SUCH_TYPE", null, null, null, ErrorAction.FAIL_BATCH, null)), null);
        }
        RetryPolicy retry = ruleAttempts == 0 ? null
                : new RetryPolicy(ruleAttempts, Duration.ofSeconds(1), 1.0, Duration.ofSeconds(1));
        return new BatchPolicies(null, 0,
                List.of(new ErrorRule(null, null, null, null, ErrorAction.valueOf(action), retry)), null);
    }

    private static Batch batch(BatchPolicies policies) {
        var spec = new BatchSpec("b", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, null, List.of(), policies);
        return Batch.queued(UUID.randomUUID(), TestBatches.OWNER, spec, STARTED);
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
