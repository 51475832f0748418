package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * What a batch's policies make of its jobs' ends, as both engines ask it
 * ({@link Batch#causeAfterMove}): jobs end one after the other, and the first end that
 * records a cause, and the batch's end, are as the table says.
 */
class PolicyVerdictsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /** The rule every batch of the table has: an error of type FATAL fails the batch. */
    private static final ErrorRule FATAL = new ErrorRule("FATAL", null, null, null, ErrorAction.FAIL_BATCH, null);

    /**
     * @param ends job-0, job-1, … end in this order: S succeeded, F failed, I failed with
     * the failure ignored, B failed with an error the FAIL_BATCH rule matches; the other
     * jobs wait
     * @param atEnd the end (1 for the first) that records the cause, 0 for none
     */
    @ParameterizedTest(
            name = "[{index}] {0} maxFailures={1} ratio={2}/{3} succeedWhen={4}, {5} jobs, {6} -> {7} at {8}, {9}")
    @CsvSource(
            textBlock = """
                    # policy,  maxFailures, ratio, minJobs, succeedWhen,     jobs, ends,   cause,                      atEnd, state
                    FAIL_FAST, 0,           ,      ,        ,                3,    SF,     JOB_FAILED,                 2,     FAILED
                    FAIL_FAST, 1,           ,      ,        ,                4,    FSF,    MAX_FAILURES_EXCEEDED,      3,     FAILED
                    FAIL_FAST, 0,           ,      ,        ,                3,    III,    ,                           0,     SUCCEEDED
                    FAIL_FAST, 5,           ,      ,        ,                3,    SFS,    ,                           0,     FAILED
                    CONTINUE,  0,           ,      ,        ,                3,    FFF,    ,                           0,     FAILED
                    CONTINUE,  0,           ,      ,        ,                3,    SB,     JOB_FAILED,                 2,     FAILED
                    FAIL_FAST, 9,           ,      ,        ,                3,    IB,     JOB_FAILED,                 2,     FAILED
                    # tolerance by ratio: exceeded on what finished, or certain on the whole batch
                    FAIL_FAST, ,            0.2,   5,       ,                10,   SSSSFF, FAILURE_RATIO_EXCEEDED,     6,     FAILED
                    FAIL_FAST, ,            0.2,   5,       ,                10,   SSSSF,  ,                           0,     RUNNING
                    FAIL_FAST, ,            0.2,   ,        ,                10,   FFF,    FAILURE_RATIO_EXCEEDED,     3,     FAILED
                    FAIL_FAST, ,            0.5,   4,       ,                10,   FFFS,   FAILURE_RATIO_EXCEEDED,     4,     FAILED
                    FAIL_FAST, ,            0.2,   ,        ,                10,   FFI,    FAILURE_RATIO_EXCEEDED,     3,     FAILED
                    FAIL_FAST, ,            0.5,   ,        ,                4,    SFFS,   ,                           0,     FAILED
                    FAIL_FAST, 1,           0.2,   ,        ,                5,    FF,     MAX_FAILURES_EXCEEDED,      2,     FAILED
                    FAIL_FAST, 0,           0.9,   ,        ,                5,    SF,     JOB_FAILED,                 2,     FAILED
                    # success policies
                    CONTINUE,  0,           ,      ,        min:1,           3,    FS,     SUCCESS_POLICY_MET,         2,     SUCCEEDED
                    CONTINUE,  0,           ,      ,        min:1,           3,    FFF,    SUCCESS_POLICY_UNREACHABLE, 3,     FAILED
                    CONTINUE,  0,           ,      ,        min:2,           3,    FF,     SUCCESS_POLICY_UNREACHABLE, 2,     FAILED
                    CONTINUE,  0,           ,      ,        min:2,           3,    FSS,    SUCCESS_POLICY_MET,         3,     SUCCEEDED
                    FAIL_FAST, 0,           ,      ,        min:2,           3,    SS,     SUCCESS_POLICY_MET,         2,     SUCCEEDED
                    FAIL_FAST, 0,           ,      ,        min:2,           3,    SFS,    JOB_FAILED,                 2,     FAILED
                    CONTINUE,  0,           ,      ,        ids:job-0;job-2, 4,    SSS,    SUCCESS_POLICY_MET,         3,     SUCCEEDED
                    CONTINUE,  0,           ,      ,        ids:job-1,       3,    SF,     SUCCESS_POLICY_UNREACHABLE, 2,     FAILED
                    CONTINUE,  0,           ,      ,        ids:job-1,       3,    SI,     SUCCESS_POLICY_UNREACHABLE, 2,     FAILED
                    CONTINUE,  0,           ,      ,        ids:job-1,       3,    FS,     SUCCESS_POLICY_MET,         2,     SUCCEEDED
                    """)
    void theFirstEndThatRecordsACauseStopsTheBatch(FailurePolicy policy, @Nullable Integer maxFailures,
            @Nullable Double ratio, @Nullable Integer minJobs, @Nullable String succeedWhen, int jobs, String ends,
            @Nullable CauseType cause, int atEnd, BatchState state) {
        var walk = new Walk(spec(policy, maxFailures, ratio, minJobs, succeedWhen, jobs));

        ends.chars().forEach(end -> walk.end((char) end));

        assertThat(walk.cause == null ? null : walk.cause.cause()).isEqualTo(cause);
        assertThat(walk.causeAt).isEqualTo(atEnd);
        assertThat(walk.finish().state()).isEqualTo(state);
    }

    @Test
    void theCausesSayWhichPolicyAndWhy() {
        var fatal = new Walk(spec(FailurePolicy.CONTINUE, 0, null, null, null, 3));
        fatal.end('S');
        fatal.end('B');
        assertThat(fatal.cause).satisfies(c -> {
            assertThat(c.cause()).isEqualTo(CauseType.JOB_FAILED);
            assertThat(c.rule()).isEqualTo("onError[0]");
            assertThat(c.jobId()).isEqualTo("job-1");
            assertThat(c.errorType()).isEqualTo("FATAL");
            assertThat(c.message()).isEqualTo("onError[0] (FAIL_BATCH) matched the failure: fatal");
        });

        var ratio = new Walk(spec(FailurePolicy.FAIL_FAST, null, 0.2, null, null, 10));
        "FFF".chars().forEach(c -> ratio.end((char) c));
        assertThat(ratio.cause.jobId()).isEqualTo("job-2");
        assertThat(ratio.cause.rule()).isNull();
        assertThat(ratio.cause.message()).startsWith("3 of 10 jobs failed (30.0%)");

        var met = new Walk(spec(FailurePolicy.CONTINUE, 0, null, null, "ids:job-1;job-0", 3));
        "SS".chars().forEach(c -> met.end((char) c));
        assertThat(met.cause.jobId()).isEqualTo("job-1");
        assertThat(met.cause.message()).isEqualTo("Every job of succeedWhen.jobIds (2) succeeded");

        var unreachable = new Walk(spec(FailurePolicy.CONTINUE, 0, null, null, "min:2", 2));
        unreachable.end('F');
        assertThat(unreachable.cause.message()).isEqualTo("Job 'job-0' ended FAILED: at most 1 job(s) can succeed "
                + "(0 succeeded, 1 still to finish), short of succeedWhen.minSucceeded 2");
    }

    @Test
    void theTallyFollowsJobsInAndOutOfTheStatesItCounts() {
        BatchSpec spec = spec(FailurePolicy.CONTINUE, 0, null, null, "ids:job-0", 2);
        Batch batch = Batch.queued(UUID.randomUUID(), TestBatches.OWNER, spec, T0);
        Job running = Job.pending(spec.jobs().get(0)).started(1, T0);
        Job ignored = running.failedIgnored(new JobError("IO", "x", null), false, T0);
        Job listed = Job.pending(spec.jobs().get(0)).started(1, T0).succeeded(null, T0);

        Batch after = batch.withJobMoved(Job.pending(spec.jobs().get(0)), running).withJobMoved(running, ignored);
        assertThat(after.tally()).isEqualTo(new JobTally(1, 0, 0));
        assertThat(after.countedFailures()).isZero();
        // A job leaving the state (a redrive moves FAILED back to PENDING) leaves the
        // tally.
        assertThat(after.withJobMoved(ignored, Job.pending(spec.jobs().get(0))).tally()).isEqualTo(JobTally.ZERO);
        assertThat(batch.withJobMoved(JobState.RUNNING, listed).tally()).isEqualTo(new JobTally(0, 1, 0));
        assertThat(
                batch.withJobMoved(JobState.RUNNING, listed).withJobMoved(listed, Job.pending(listed.spec())).tally())
            .isEqualTo(JobTally.ZERO);
    }

    private static BatchSpec spec(FailurePolicy policy, @Nullable Integer maxFailures, @Nullable Double ratio,
            @Nullable Integer minJobs, @Nullable String succeedWhen, int jobs) {
        List<JobSpec> specs = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            specs.add(new JobSpec("job-" + i, "sleep", JsonNodeFactory.instance.objectNode(), null, RetryPolicy.NONE));
        }
        var policies = new BatchPolicies(ratio, minJobs == null ? 0 : minJobs, List.of(FATAL),
                successPolicy(succeedWhen));
        return new BatchSpec("table", Map.of(), policy, maxFailures, jobs, Duration.ofHours(1), specs, policies);
    }

    private static @Nullable SuccessPolicy successPolicy(@Nullable String text) {
        if (text == null) {
            return null;
        }
        if (text.startsWith("min:")) {
            return new SuccessPolicy.MinSucceeded(Integer.parseInt(text.substring(4)));
        }
        return new SuccessPolicy.JobIds(new LinkedHashSet<>(Arrays.asList(text.substring(4).split(";"))));
    }

    /** A batch whose jobs end one by one, as an engine moves them. */
    private static final class Walk {

        Batch batch;

        final List<Job> jobs = new ArrayList<>();

        @Nullable CancellationCause cause;

        int causeAt;

        int ended;

        Walk(BatchSpec spec) {
            batch = Batch.queued(UUID.randomUUID(), TestBatches.OWNER, spec, T0).started(T0);
            spec.jobs().forEach(job -> jobs.add(Job.pending(job)));
        }

        /** The next job ends {@code how}; after a cause the jobs left are stopped. */
        void end(char how) {
            if (cause != null) {
                return;
            }
            Job pending = jobs.get(ended);
            Job running = pending.started(1, T0);
            batch = batch.withJobMoved(pending, running);
            Job after = switch (how) {
                case 'S' -> running.succeeded(null, T0);
                case 'F' -> running.failed(new JobError("JOB_ERROR", "boom", null), false, T0);
                case 'I' -> running.failedIgnored(new JobError("JOB_ERROR", "boom", null), false, T0);
                case 'B' -> running.failed(new JobError("FATAL", "fatal", null), false, T0);
                default -> throw new IllegalArgumentException("no such end: " + how);
            };
            batch = batch.withJobMoved(running, after);
            jobs.set(ended++, after);
            CancellationCause recorded = batch.causeAfterMove(after, T0);
            if (recorded != null) {
                assertThat(cause).as("a batch records one cause").isNull();
                cause = recorded;
                causeAt = ended;
                batch = batch.cancelling(recorded);
            }
        }

        /** The batch once its cause stopped the jobs still waiting, or as it stands. */
        Batch finish() {
            if (cause != null) {
                batch = batch.withJobsMoved(JobState.PENDING, JobState.SKIPPED, batch.counts().pending());
            }
            return batch.endedIfDone(T0);
        }

    }

}
