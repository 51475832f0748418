package dev.failfast.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.failfast.batch.AttemptRecord;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.StopReport;
import dev.failfast.store.BatchStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One fail-fast stop, told the same way to both engines so that their stop reports can be
 * compared: a FAIL_FAST batch of 7 {@link StepJob} jobs, 3 at a time, on a clock the test
 * moves.
 *
 * <ol>
 * <li>at T0, {@code s1}, {@code g1} and {@code g2} start;
 * <li>at T0+2s {@code s1} succeeds (gate {@code s1}) and {@code f} starts in its place;
 * <li>at T0+5s {@code f} fails (gate {@code f}): the cause stops {@code g1} and
 * {@code g2}, which ran 5 s each, and skips {@code p1}..{@code p3}.
 * </ol>
 * The report: 2 running at the cause, both stopped, 3 never started, none abandoned, 10
 * job-seconds discarded, and 3 × 2 s (the mean of the one succeeded job) saved.
 */
public final class StopStory {

    public static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    public static final StopReport REPORT = new StopReport(2, 2, 3, 0, 10.0, 6.0);

    private StopStory() {
    }

    public static List<JobSpec> jobs() {
        return List.of(StepJob.job("s1", "s1", false), StepJob.job("g1", "never", false),
                StepJob.job("g2", "never", false), StepJob.job("f", "f", true), StepJob.job("p1", "never", false),
                StepJob.job("p2", "never", false), StepJob.job("p3", "never", false));
    }

    public static BatchSpec batch() {
        return new BatchSpec("stop-story", Map.of(), FailurePolicy.FAIL_FAST, 0, 3, null, jobs());
    }

    /** What the stop left: the batch, its report, and the jobs' states and histories. */
    public static void assertStopped(Batch ended, BatchStore store) {
        assertThat(ended.state()).isEqualTo(BatchState.FAILED);
        assertThat(ended.cancellation().cause()).isEqualTo(CauseType.JOB_FAILED);
        assertThat(ended.cancellation().jobId()).isEqualTo("f");
        assertThat(ended.tally().succeededMillis()).isEqualTo(2000);
        StopReport report = ended.cancellation().report();
        assertThat(report).usingRecursiveComparison()
            .ignoringFields("discardedJobSeconds", "savedJobSeconds")
            .isEqualTo(REPORT);
        assertThat(report.discardedJobSeconds()).isCloseTo(REPORT.discardedJobSeconds(), within(1e-9));
        assertThat(report.savedJobSeconds()).isCloseTo(REPORT.savedJobSeconds(), within(1e-9));

        assertAttempt(store, ended, "s1", JobState.SUCCEEDED, AttemptRecord.End.SUCCEEDED, 0, 2);
        assertAttempt(store, ended, "f", JobState.FAILED, AttemptRecord.End.FAILED, 2, 5);
        for (String id : List.of("g1", "g2")) {
            assertAttempt(store, ended, id, JobState.CANCELLED, AttemptRecord.End.CANCELLED, 0, 5);
        }
        for (String id : List.of("p1", "p2", "p3")) {
            Job skipped = store.findJob(ended.id(), id).orElseThrow();
            assertThat(skipped.state()).isEqualTo(JobState.SKIPPED);
            assertThat(skipped.history()).isEmpty();
        }
    }

    private static void assertAttempt(BatchStore store, Batch batch, String id, JobState state, AttemptRecord.End end,
            int startedSecond, int endedSecond) {
        Job job = store.findJob(batch.id(), id).orElseThrow();
        assertThat(job.state()).as(id).isEqualTo(state);
        assertThat(job.history()).as(id).singleElement().satisfies(attempt -> {
            assertThat(attempt.number()).isOne();
            assertThat(attempt.end()).isEqualTo(end);
            assertThat(attempt.startedAt()).isEqualTo(T0.plus(Duration.ofSeconds(startedSecond)));
            assertThat(attempt.endedAt()).isEqualTo(T0.plus(Duration.ofSeconds(endedSecond)));
        });
    }

}
