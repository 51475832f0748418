package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A job's attempt history as its transitions keep it (the rule in {@link Job}'s comment),
 * as a table: from a starting point, one transition, and the history it leaves.
 */
class JobHistoryTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /** When the transitions of the table happen. */
    private static final Instant AT = T0.plusSeconds(5);

    private static final JobError IO = new JobError(JobError.IO, "connection refused", "java.net.ConnectException");

    private static final JobError TOO_MANY = new JobError(JobError.HTTP_STATUS, "429 Too Many Requests",
            "dev.failfast.job.RetryLaterException", 429);

    private static final JobSpec SPEC = TestJobs.sleepJob("a", Duration.ofSeconds(1))
        .retry(3, Duration.ofSeconds(1))
        .build();

    /**
     * Columns: where the job stands, the transition, then the history after it: how many
     * records, the last one's attempt number, end (empty: still open, or no record),
     * error type, whether it was abandoned, and when it started and ended (seconds after
     * T0).
     */
    @ParameterizedTest(name = "{0} | {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # an attempt running: its record is open since T0
            running | succeeded                 | 1 | 1 | SUCCEEDED   | -           | false | 0 | 5
            running | retrying IO               | 1 | 1 | FAILED      | IO          | false | 0 | 5
            running | retrying TIMEOUT          | 1 | 1 | TIMED_OUT   | TIMEOUT     | false | 0 | 5
            running | deferred 429              | 1 | 1 | DEFERRED    | HTTP_STATUS | false | 0 | 5
            running | failed IO                 | 1 | 1 | FAILED      | IO          | false | 0 | 5
            running | failed TIMEOUT abandoned  | 1 | 1 | TIMED_OUT   | TIMEOUT     | true  | 0 | 5
            running | cancelled                 | 1 | 1 | CANCELLED   | -           | false | 0 | 5
            running | cancelled abandoned       | 1 | 1 | CANCELLED   | -           | true  | 0 | 5
            # the process running it was lost
            running | failed OWNER_STOPPED      | 1 | 1 | INTERRUPTED | INTERRUPTED | false | 0 | 5
            running | requeued                  | 1 | 1 | INTERRUPTED | INTERRUPTED | false | 0 | 5
            running | cancelledKeepingLastError | 1 | 1 | INTERRUPTED | INTERRUPTED | false | 0 | 5
            # waiting out a backoff after attempt 1 failed at T0+1: no attempt ends
            waiting | cancelledKeepingLastError | 1 | 1 | FAILED      | IO          | false | 0 | 1
            waiting | requeued                  | 1 | 1 | FAILED      | IO          | false | 0 | 1
            waiting | started 2                 | 2 | 2 | -           | -           | false | 5 | -
            # never started: nothing to record
            pending | stoppedWhilePending       | 0 | - | -           | -           | false | - | -
            # a cluster replica claimed attempt 1 at T0 and wrote no start
            claimed | claimWithdrawn            | 0 | - | -           | -           | false | - | -
            claimed | unclaimed                 | 0 | - | -           | -           | false | - | -
            claimed | started 1                 | 1 | 1 | -           | -           | false | 5 | -
            claimed | failed OWNER_STOPPED      | 1 | 1 | INTERRUPTED | INTERRUPTED | false | 0 | 5
            claimed | requeued                  | 1 | 1 | INTERRUPTED | INTERRUPTED | false | 0 | 5
            claimed | cancelledKeepingLastError | 1 | 1 | INTERRUPTED | INTERRUPTED | false | 0 | 5
            # a replica wrote retry attempt 2 at T0+3, which a thread had not started yet
            written | claimWithdrawn            | 1 | 1 | FAILED      | IO          | false | 0 | 1
            written | unclaimed                 | 1 | 1 | FAILED      | IO          | false | 0 | 1
            written | started 2                 | 2 | 2 | -           | -           | false | 5 | -
            """)
    void eachTransitionLeavesTheHistoryItsRuleSays(String from, String transition, int records,
            @Nullable Integer number, AttemptRecord.@Nullable End end, @Nullable String errorType, boolean abandoned,
            @Nullable Long startedSecond, @Nullable Long endedSecond) {
        Job after = transition(transition).apply(job(from));

        assertThat(after.history()).hasSize(records);
        if (records == 0) {
            return;
        }
        AttemptRecord last = after.history().getLast();
        assertThat(last.run()).isOne();
        assertThat(last.number()).isEqualTo(number);
        assertThat(last.end()).isEqualTo(end);
        assertThat(last.error() == null ? null : last.error().type()).isEqualTo(errorType);
        assertThat(last.abandoned()).isEqualTo(abandoned);
        assertThat(last.startedAt()).isEqualTo(T0.plusSeconds(startedSecond));
        assertThat(last.endedAt()).isEqualTo(endedSecond == null ? null : T0.plusSeconds(endedSecond));
    }

    @Test
    void theBackoffAndTheDecidingRuleStayOnTheAttemptTheyFollow() {
        Job waiting = job("running").retrying(IO, T0.plusSeconds(1))
            .decidedBy("onError[2]")
            .backoff(Duration.ofSeconds(2), "job retry policy: attempt 2 of 3, backoff PT2S");

        Job second = waiting.started(2, T0.plusSeconds(3)).succeeded(null, T0.plusSeconds(4));

        assertThat(second.history()).hasSize(2);
        AttemptRecord first = second.history().getFirst();
        assertThat(first.rule()).isEqualTo("onError[2]");
        assertThat(first.backoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(first.backoffReason()).isEqualTo("job retry policy: attempt 2 of 3, backoff PT2S");
        assertThat(second.history().getLast().backoff()).isNull();
        assertThat(second.history().getLast().elapsed()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theHttpStatusOfAFailureIsKeptOnItsRecord() {
        Job deferred = job("running").deferred(TOO_MANY, AT);

        assertThat(deferred.history().getLast().error().httpStatus()).isEqualTo(429);
    }

    @Test
    void aJobAttemptedManyTimesKeepsItsFirstAndLatestRecordsAndCountsTheOthers() {
        Job job = Job.pending(SPEC);
        Instant at = T0;
        for (int attempt = 1; attempt <= 120; attempt++) {
            job = job.started(attempt, at).deferred(TOO_MANY, at.plusMillis(10));
            at = at.plusSeconds(1);
        }

        assertThat(job.history()).hasSize(AttemptHistory.MAX_RECORDS);
        assertThat(job.droppedAttempts()).isEqualTo(120 - AttemptHistory.MAX_RECORDS);
        assertThat(job.history().getFirst().number()).as("how the job began").isOne();
        assertThat(job.history().get(1).number()).isEqualTo(120 - AttemptHistory.MAX_RECORDS + 2);
        assertThat(job.history().getLast().number()).isEqualTo(120);
        assertThat(job.withoutHistory().history()).isEmpty();
        assertThat(job.withoutHistory().droppedAttempts()).isZero();
    }

    @Test
    void aRecordCutsALongErrorMessageAndTheJobKeepsItWhole() {
        JobError longError = new JobError(JobError.JOB_ERROR, "x".repeat(3000), null);

        Job failed = job("running").failed(longError, false, AT);

        assertThat(failed.history().getLast().error().message()).hasSize(AttemptRecord.MAX_MESSAGE_LENGTH);
        assertThat(failed.error().message()).hasSize(3000);
    }

    /** The job at a starting point of the table. */
    private static Job job(String from) {
        Job pending = Job.pending(SPEC);
        return switch (from) {
            case "pending" -> pending;
            case "running" -> pending.started(1, T0);
            case "waiting" -> pending.started(1, T0).retrying(IO, T0.plusSeconds(1));
            // As a claim leaves the row: RUNNING, attempt 1, no record of it.
            case "claimed" -> new Job(SPEC, JobState.RUNNING, 1, T0, null, null, null, false);
            case "written" -> job("waiting").started(2, T0.plusSeconds(3));
            default -> throw new IllegalArgumentException(from);
        };
    }

    private static UnaryOperator<Job> transition(String transition) {
        return switch (transition) {
            case "succeeded" -> job -> job.succeeded(null, AT);
            case "retrying IO" -> job -> job.retrying(IO, AT);
            case "retrying TIMEOUT" -> job -> job.retrying(JobError.timeout(Duration.ofSeconds(1)), AT);
            case "deferred 429" -> job -> job.deferred(TOO_MANY, AT);
            case "failed IO" -> job -> job.failed(IO, false, AT);
            case "failed TIMEOUT abandoned" -> job -> job.failed(JobError.timeout(Duration.ofSeconds(1)), true, AT);
            case "failed OWNER_STOPPED" -> job -> job.failed(JobError.OWNER_STOPPED, false, AT);
            case "cancelled" -> job -> job.cancelled(false, AT);
            case "cancelled abandoned" -> job -> job.cancelled(true, AT);
            case "requeued" -> job -> job.requeued(JobError.OWNER_STOPPED, AT);
            case "cancelledKeepingLastError" -> job -> job.cancelledKeepingLastError(AT);
            case "stoppedWhilePending" -> job -> job.stoppedWhilePending(AT);
            case "claimWithdrawn" -> job -> job.claimWithdrawn(AT);
            case "unclaimed" -> Job::unclaimed;
            case "started 1" -> job -> job.started(1, AT);
            case "started 2" -> job -> job.started(2, AT);
            default -> throw new IllegalArgumentException(transition);
        };
    }

}
