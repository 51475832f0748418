package dev.failfast.batch;

import static dev.failfast.batch.TestBatches.OWNER;
import static dev.failfast.batch.TestBatches.T0;
import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestBatches.aSpec;
import static dev.failfast.batch.TestJobs.aJob;
import static dev.failfast.batch.TestJobs.sleepJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A redrive as the domain makes it: {@link Batch#redriven} turns the run that ended into
 * a past run and queues the next, and {@link Job#redriven} puts each job it runs again
 * back to PENDING, moved in the batch by {@link Batch#withJobMoved(Job, Job)}. The runs
 * here are walked with the same transitions the engines use, so the causes carry the stop
 * reports a real stop counts.
 */
class RedriveTransitionsTest {

    private static final Duration DEADLINE = Duration.ofMinutes(10);

    private static final JobError FAILURE = new JobError(JobError.JOB_ERROR, "Simulated failure", null);

    private static final JobError NOT_FOUND = new JobError(JobError.HTTP_STATUS, "404 from upstream",
            "dev.failfast.job.JobFailedException", 404);

    private static final Redrive FIRST = new Redrive(T0.plusSeconds(60), "key:test", 4, "key-1", "fingerprint-1");

    private static final Redrive SECOND = new Redrive(T0.plusSeconds(120), "jwt:alice", 1, null, null);

    /** The batch being walked and its jobs, by id, in submission order. */
    private Batch batch = Batch.queued(UUID.randomUUID(), OWNER,
            aSpec().deadline(DEADLINE)
                .jobs(sleepJob("job-0", Duration.ofSeconds(1)), sleepJob("job-1", Duration.ofSeconds(1)),
                        sleepJob("job-2", Duration.ofSeconds(1)), sleepJob("job-3", Duration.ofSeconds(1)),
                        sleepJob("job-4", Duration.ofSeconds(1)))
                .build(),
            T0);

    private final Map<String, Job> jobs = new LinkedHashMap<>();

    /** The jobs as run 1 left them. */
    private final Map<String, Job> firstRun = new LinkedHashMap<>();

    {
        batch.spec().jobs().forEach(spec -> jobs.put(spec.id(), Job.pending(spec)));
    }

    @Test
    void theRunThatEndedBecomesAPastRunAndTheNextIsQueuedWithNoCauseNorStart() {
        Batch ended = firstRunEnded();
        CancellationCause cause = ended.cancellation();
        assertThat(cause.report()).as("the stop counted its running and never started jobs")
            .isEqualTo(new StopReport(1, 1, 1, 0, 4.0, 1.0));

        Batch next = ended.redriven(FIRST);

        assertThat(next.state()).isEqualTo(BatchState.QUEUED);
        assertThat(next.startedAt()).isNull();
        assertThat(next.finishedAt()).isNull();
        assertThat(next.cancellation()).isNull();
        assertThat(next.redrive()).isEqualTo(FIRST);
        assertThat(next.pastRuns()).containsExactly(
                new RunSummary(1, T0, T0.plusSeconds(1), T0.plusSeconds(5), BatchState.FAILED, cause, null));
        assertThat(next.pastRuns().getFirst().cause().report()).isEqualTo(cause.report());
        assertThat(next.pastRuns().getFirst().cause().completedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(next).as("the rest of the batch is kept")
            .usingRecursiveComparison()
            .comparingOnlyFields("id", "owner", "spec", "createdAt", "counts", "tally")
            .isEqualTo(ended);
    }

    @Test
    void countsAndTallyFollowTheRedrivenJobsAndTheSucceededOneStaysCounted() {
        Batch ended = firstRunEnded();
        assertThat(ended.counts()).isEqualTo(new JobCounts(5, 0, 0, 1, 2, 1, 1));
        assertThat(ended.tally()).isEqualTo(new JobTally(1, 0, 1_000));
        assertThat(ended.countedFailures()).isOne();

        redrive(FIRST, "job-1", "job-2", "job-3", "job-4");

        assertThat(batch.counts()).isEqualTo(new JobCounts(5, 4, 0, 1, 0, 0, 0));
        assertThat(batch.tally()).as("the redriven ignored failure is no longer one; the success stays")
            .isEqualTo(new JobTally(0, 0, 1_000));
        assertThat(batch.countedFailures()).isZero();
        assertThat(jobs.get("job-0")).as("not redriven").isSameAs(jobOfFirstRun("job-0"));
    }

    @Test
    void aRedriveOfOnlySomeJobsLeavesTheOthersCountedAsTheyEnded() {
        firstRunEnded();

        redrive(new Redrive(T0.plusSeconds(60), "key:test", 1, null, null), "job-1");

        assertThat(batch.counts()).isEqualTo(new JobCounts(5, 1, 0, 1, 1, 1, 1));
        assertThat(batch.tally()).isEqualTo(new JobTally(0, 0, 1_000));
        assertThat(batch.countedFailures()).isOne();
    }

    @Test
    void runQueueTimeAndDeadlineCountFromTheRedriveThatStartedTheRun() {
        assertThat(batch.run()).isOne();
        assertThat(batch.runQueuedAt()).isEqualTo(T0);
        assertThat(batch.deadlineAt()).isEqualTo(T0.plus(DEADLINE));

        firstRunEnded();
        redrive(FIRST, "job-1", "job-2", "job-3", "job-4");
        assertThat(batch.run()).isEqualTo(2);
        assertThat(batch.runQueuedAt()).isEqualTo(FIRST.requestedAt());
        assertThat(batch.deadlineAt()).isEqualTo(FIRST.requestedAt().plus(DEADLINE));
        assertThat(jobs.values()).filteredOn(job -> !job.id().equals("job-0")).extracting(Job::run).containsOnly(2);

        Batch ended = secondRunEnded();
        redrive(SECOND, "job-2");
        assertThat(batch.run()).isEqualTo(3);
        assertThat(batch.runQueuedAt()).isEqualTo(SECOND.requestedAt());
        assertThat(batch.deadlineAt()).isEqualTo(SECOND.requestedAt().plus(DEADLINE));
        assertThat(batch.pastRuns()).extracting(RunSummary::number).containsExactly(1, 2);
        assertThat(batch.pastRuns().get(1)).isEqualTo(new RunSummary(2, FIRST.requestedAt(), T0.plusSeconds(61),
                T0.plusSeconds(65), BatchState.FAILED, ended.cancellation(), FIRST));
        assertThat(batch.pastRuns().getFirst().redrive()).isNull();
        assertThat(batch.redrive()).isEqualTo(SECOND);
        assertThat(jobs.get("job-2").run()).isEqualTo(3);
        assertThat(jobs.get("job-1").run()).as("succeeded in run 2").isEqualTo(2);
    }

    @Test
    void aBatchWithoutADeadlineHasNoneInAnyRun() {
        Batch noDeadline = aBatch().withJobs(aJob("a").failed()).failed().build();
        assertThat(noDeadline.deadlineAt()).isNull();
        assertThat(noDeadline.redriven(FIRST).deadlineAt()).isNull();
    }

    @Test
    void aRedriveIsFoundByItsIdempotencyKeyInTheCurrentRunAndInPastOnes() {
        assertThat(batch.redriveKeyed("key-1")).isEmpty();
        firstRunEnded();
        redrive(FIRST, "job-1", "job-2", "job-3", "job-4");
        assertThat(batch.redriveKeyed("key-1")).as("the current run's").contains(FIRST);

        secondRunEnded();
        redrive(SECOND, "job-2");
        assertThat(batch.redriveKeyed("key-1")).as("a past run's").contains(FIRST);
        assertThat(batch.redriveKeyed("key-2")).isEmpty();
        assertThat(batch.redriveKeyed("KEY-1")).as("keys are compared exactly").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = BatchState.class, names = { "QUEUED", "RUNNING", "CANCELLING" })
    void aBatchThatHasNotEndedIsNotRedriven(BatchState state) {
        Batch unfinished = aBatchLikeIn(state);
        assertThatThrownBy(() -> unfinished.redriven(FIRST)).isInstanceOf(IllegalStateTransitionException.class)
            .hasMessageContaining(state.name())
            .hasMessageContaining("QUEUED");
    }

    @ParameterizedTest
    @EnumSource(value = BatchState.class, names = { "SUCCEEDED", "FAILED", "CANCELLED" })
    void everyTerminalBatchIsRedriven(BatchState state) {
        Batch ended = aBatch().withJobs(aJob("a").cancelled()).inState(state).startedAt(T0).finishedAt(T0).build();
        Batch next = ended.redriven(FIRST);
        assertThat(next.state()).isEqualTo(BatchState.QUEUED);
        assertThat(next.pastRuns()).extracting(RunSummary::state).containsExactly(state);
    }

    @Test
    void aSucceededJobIsNotRedriven() {
        Job succeeded = aJob("a").succeeded().build();
        assertThatThrownBy(() -> succeeded.redriven(2)).isInstanceOf(IllegalStateTransitionException.class)
            .hasMessageContaining("SUCCEEDED")
            .hasMessageContaining("PENDING");
    }

    @ParameterizedTest
    @EnumSource(value = JobState.class, names = { "PENDING", "RUNNING", "SUCCEEDED" })
    void onlyAFailedCancelledOrSkippedJobIsRedriven(JobState state) {
        Job job = aJob("a").running().inState(state).build();
        assertThatThrownBy(() -> job.redriven(2)).isInstanceOf(IllegalStateTransitionException.class);
    }

    @Test
    void aJobIsRedrivenIntoALaterRunOnly() {
        Job failed = aJob("a").failed().build();
        assertThatThrownBy(() -> failed.redriven(1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("run 1");
    }

    @Test
    void aRedrivenJobKeepsItsHistoryAndStartsOverOtherwise() {
        var tooMany = new JobError(JobError.HTTP_STATUS, "429 Too Many Requests",
                "dev.failfast.job.RetryLaterException", 429);
        Job failed = Job.pending(sleepJob("a", Duration.ofSeconds(1)).retry(3, Duration.ofSeconds(1)).build())
            .started(1, T0)
            .deferred(tooMany, T0.plusSeconds(1))
            .started(2, T0.plusSeconds(2))
            .retrying(FAILURE, T0.plusSeconds(3))
            .started(3, T0.plusSeconds(4))
            .failedIgnored(NOT_FOUND, true, T0.plusSeconds(5));
        assertThat(failed).extracting(Job::attempts, Job::deferrals, Job::ignored, Job::abandoned)
            .containsExactly(3, 1, true, true);

        Job again = failed.redriven(2);

        assertThat(again).isEqualTo(new Job(failed.spec(), JobState.PENDING, 0, null, null, null, null, false, 0, false,
                2, failed.history(), failed.droppedAttempts()));
        assertThat(again.history()).hasSize(3).allSatisfy(record -> assertThat(record.run()).isOne());

        Job started = again.started(1, T0.plusSeconds(70));
        assertThat(started.history()).hasSize(4);
        assertThat(started.lastAttempt().run()).isEqualTo(2);
        assertThat(started.lastAttempt().number()).isOne();
        assertThat(started.startedAt()).isEqualTo(T0.plusSeconds(70));
    }

    @Test
    void aRedrivenJobKeepsTheCountOfItsDroppedRecords() {
        Job failed = aJob("a").failed().build().withHistory(List.of(), 7);
        assertThat(failed.redriven(2).droppedAttempts()).isEqualTo(7);
    }

    @Test
    void aRedrivenJobStoppedBeforeItStartsIsSkippedNotCancelled() {
        Job cancelled = Job.pending(sleepJob("a", Duration.ofSeconds(1)).build())
            .started(1, T0)
            .cancelled(false, T0.plusSeconds(1));
        assertThat(cancelled.attempts()).as("run 1, stopped while running").isOne();

        Job stopped = cancelled.redriven(2).stoppedWhilePending(T0.plusSeconds(61));

        assertThat(stopped.state()).isEqualTo(JobState.SKIPPED);
        assertThat(stopped.attempts()).isZero();
        assertThat(stopped.startedAt()).isNull();
        assertThat(stopped.finishedAt()).isEqualTo(T0.plusSeconds(61));
        assertThat(stopped.history()).isEqualTo(cancelled.history());
    }

    // ---- the walk -------------------------------------------------------------------

    /**
     * Run 1, FAIL_FAST with no tolerance: job-0 succeeds, job-1's failure is ignored,
     * job-3's fails the batch while job-2 runs (it is cancelled) and job-4 waits (it is
     * skipped): FAILED, the cause completed.
     */
    private Batch firstRunEnded() {
        batch = batch.started(T0.plusSeconds(1));
        jobs.keySet().stream().limit(4).toList().forEach(id -> move(id, job -> job.started(1, T0.plusSeconds(1))));
        move("job-0", job -> job.succeeded(null, T0.plusSeconds(2)));
        move("job-1", job -> job.failedIgnored(NOT_FOUND, false, T0.plusSeconds(3)));
        assertThat(batch.causeAfterMove(jobs.get("job-1"), T0.plusSeconds(3))).isNull();
        move("job-3", job -> job.failed(FAILURE, false, T0.plusSeconds(4)));
        batch = batch.cancelling(batch.causeAfterMove(jobs.get("job-3"), T0.plusSeconds(4)));
        move("job-4", job -> job.stoppedWhilePending(T0.plusSeconds(5)));
        move("job-2", job -> job.cancelled(false, T0.plusSeconds(5)));
        batch = batch.endedIfDone(T0.plusSeconds(5));
        assertThat(batch.state()).isEqualTo(BatchState.FAILED);
        firstRun.putAll(jobs);
        return batch;
    }

    /**
     * Run 2, after {@link #FIRST} redrove job-1 to job-4: job-1 and job-4 succeed, job-3
     * fails the batch again and job-2, still waiting, is skipped.
     */
    private Batch secondRunEnded() {
        batch = batch.started(T0.plusSeconds(61));
        for (String id : List.of("job-1", "job-3", "job-4")) {
            move(id, job -> job.started(1, T0.plusSeconds(61)));
        }
        move("job-1", job -> job.succeeded(null, T0.plusSeconds(62)));
        move("job-4", job -> job.succeeded(null, T0.plusSeconds(63)));
        move("job-3", job -> job.failed(FAILURE, false, T0.plusSeconds(64)));
        batch = batch.cancelling(batch.causeAfterMove(jobs.get("job-3"), T0.plusSeconds(64)));
        move("job-2", job -> job.stoppedWhilePending(T0.plusSeconds(65)));
        batch = batch.endedIfDone(T0.plusSeconds(65));
        assertThat(batch.state()).isEqualTo(BatchState.FAILED);
        assertThat(jobs.get("job-2").state()).as("never started in run 2").isEqualTo(JobState.SKIPPED);
        assertThat(batch.counts()).isEqualTo(new JobCounts(5, 0, 0, 3, 1, 0, 1));
        return batch;
    }

    /**
     * What the engine does for a redrive: the batch first, then each job it runs again.
     */
    private void redrive(Redrive by, String... ids) {
        batch = batch.redriven(by);
        int run = batch.run();
        for (String id : ids) {
            move(id, job -> job.redriven(run));
        }
    }

    private void move(String id, UnaryOperator<Job> change) {
        Job before = jobs.get(id);
        Job after = change.apply(before);
        batch = batch.withJobMoved(before, after);
        jobs.put(id, after);
    }

    private Job jobOfFirstRun(String id) {
        return firstRun.get(id);
    }

    private static Batch aBatchLikeIn(BatchState state) {
        var builder = aBatch().withJobs(aJob("a").running());
        return switch (state) {
            case QUEUED -> aBatch().withJobs(aJob("a")).build();
            case RUNNING -> builder.running().build();
            case CANCELLING -> builder.cancelling(CancellationCause.userRequested(null, "key:test", T0)).build();
            default -> throw new IllegalArgumentException(state.name());
        };
    }

}
