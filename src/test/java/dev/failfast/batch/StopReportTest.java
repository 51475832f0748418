package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The stop report as {@link Batch}'s transitions count it: {@link Batch#cancelling}
 * starts it with the jobs running, each job move after counts in it, and it stops
 * counting once the stop completed.
 */
class StopReportTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final JobSpec s1 = spec("s1");

    private final JobSpec s2 = spec("s2");

    private final JobSpec running1 = spec("r1");

    private final JobSpec running2 = spec("r2");

    private final JobSpec failing = spec("f");

    @Test
    void countsTheJobsStoppedAndSkippedAndTheWorkDiscardedAndSaved() {
        Batch batch = queued(7).started(T0);
        // Two jobs succeed, after 2 s and 4 s: a mean of 3 s.
        batch = run(batch, Job.pending(s1).started(1, T0), job -> job.succeeded(null, T0.plusSeconds(2)));
        batch = run(batch, Job.pending(s2).started(1, T0), job -> job.succeeded(null, T0.plusSeconds(4)));
        Job r1 = Job.pending(running1).started(1, T0.plusSeconds(1));
        Job r2 = Job.pending(running2).started(1, T0.plusSeconds(3));
        batch = batch.withJobMoved(Job.pending(running1), r1).withJobMoved(Job.pending(running2), r2);
        batch = run(batch, Job.pending(failing).started(1, T0), job -> job.failed(error(), false, T0.plusSeconds(5)));

        batch = batch.cancelling(CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, T0.plusSeconds(5)));
        assertThat(report(batch)).isEqualTo(new StopReport(2, 0, 0, 0, 0.0, 0.0));
        // The cause skips the two pending jobs, then the running ones stop at T0+6 (one
        // abandoned).
        batch = batch.withJobsMoved(JobState.PENDING, JobState.SKIPPED, 2);
        batch = batch.withJobMoved(r1, r1.cancelled(false, T0.plusSeconds(6)));
        batch = batch.withJobMoved(r2, r2.cancelled(true, T0.plusSeconds(6)));

        StopReport report = report(batch);
        assertThat(report.runningAtCause()).isEqualTo(2);
        assertThat(report.stoppedRunning()).isEqualTo(2);
        assertThat(report.neverStarted()).isEqualTo(2);
        assertThat(report.abandoned()).isOne();
        assertThat(report.discardedJobSeconds()).as("5 s of r1, 3 s of r2").isCloseTo(8.0, within(1e-9));
        assertThat(report.savedJobSeconds()).as("2 skipped x 3 s").isCloseTo(6.0, within(1e-9));
        assertThat(batch.tally().succeededMillis()).isEqualTo(6000);

        Batch ended = batch.endedIfDone(T0.plusSeconds(6));
        assertThat(ended.state()).isEqualTo(BatchState.CANCELLED);
        assertThat(report(ended)).as("kept when the stop completes").isEqualTo(report);
    }

    @Test
    void withNoSucceededJobThereIsNothingToEstimateTheSavedWorkFrom() {
        Batch batch = queued(3).started(T0);
        batch = run(batch, Job.pending(failing).started(1, T0), job -> job.failed(error(), false, T0.plusSeconds(1)));

        batch = batch.cancelling(CancellationCause.jobFailed(CauseType.JOB_FAILED, "f", error(), T0.plusSeconds(1)))
            .withJobsMoved(JobState.PENDING, JobState.SKIPPED, 2);

        assertThat(report(batch)).isEqualTo(new StopReport(0, 0, 2, 0, 0.0, null));
    }

    @Test
    void aJobClaimedButNotStartedAtTheCauseCountsAsNeverStartedNotAsRunning() {
        // A cluster replica claimed r1 (RUNNING in the database) and r2 runs.
        Batch batch = queued(2).started(T0).withJobsMoved(JobState.PENDING, JobState.RUNNING, 2);
        Job claimed = new Job(running1, JobState.RUNNING, 1, T0, null, null, null, false);
        Job r2 = Job.pending(running2).started(1, T0);

        batch = batch.cancelling(CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, T0.plusSeconds(2)));
        batch = batch.withJobMoved(claimed, claimed.claimWithdrawn(T0.plusSeconds(2)));
        batch = batch.withJobMoved(r2, r2.cancelled(false, T0.plusSeconds(2)));

        assertThat(report(batch)).isEqualTo(new StopReport(1, 1, 1, 0, 2.0, null));
    }

    @Test
    void aJobWaitingOutABackoffIsStoppedWithNothingDiscarded() {
        Job first = Job.pending(running1).started(1, T0);
        Job waiting = first.retrying(error(), T0.plusSeconds(1));
        Batch batch = queued(1).started(T0).withJobMoved(Job.pending(running1), first);

        batch = batch.cancelling(CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, T0.plusSeconds(2)));
        batch = batch.withJobMoved(waiting, waiting.cancelledKeepingLastError(T0.plusSeconds(2)));

        assertThat(report(batch)).isEqualTo(new StopReport(1, 1, 0, 0, 0.0, null));
    }

    @Test
    void aCauseRecordedBeforeReportsWereKeptGetsNone() {
        var cause = CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, T0);
        Batch batch = new Batch(UUID.randomUUID(), TestBatches.OWNER, spec(), BatchState.CANCELLING, T0, T0, null,
                new JobCounts(1, 1, 0, 0, 0, 0, 0), cause);

        assertThat(batch.withJobsMoved(JobState.PENDING, JobState.SKIPPED, 1).cancellation().report()).isNull();
    }

    private static Batch run(Batch batch, Job started, UnaryOperator<Job> end) {
        Job ended = end.apply(started);
        return batch.withJobMoved(Job.pending(started.spec()), started).withJobMoved(started, ended);
    }

    private static Batch queued(int jobs) {
        return new Batch(UUID.randomUUID(), TestBatches.OWNER, spec(), BatchState.QUEUED, T0, null, null,
                JobCounts.allPending(jobs), null);
    }

    private static BatchSpec spec() {
        return new BatchSpec("report", Map.of(), FailurePolicy.CONTINUE, 0, 10, null, List.of());
    }

    private static StopReport report(Batch batch) {
        return batch.cancellation().report();
    }

    private static JobError error() {
        return new JobError(JobError.JOB_ERROR, "boom", null);
    }

    private static JobSpec spec(String id) {
        return TestJobs.sleepJob(id, Duration.ofSeconds(10)).build();
    }

}
