package dev.failfast.engine;

import static dev.failfast.batch.TestBatches.T0;
import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.IllegalStateTransitionException;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.batch.JobTally;
import dev.failfast.batch.Redrive;
import dev.failfast.batch.RunSummary;
import dev.failfast.batch.SuccessPolicy;
import dev.failfast.store.IdempotencyKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The next run a redrive plans for a terminal batch ({@link RedrivePlan#of}): which jobs
 * its selection takes, what it refuses, and the batch and jobs it hands to the runner.
 */
class RedrivePlanTest {

    private static final Instant AT = T0.plusSeconds(600);

    private static final JobError FAILURE = new JobError(JobError.JOB_ERROR, "Simulated failure", null);

    private static final IdempotencyKey KEY = new IdempotencyKey("redrive-1", "fingerprint-1");

    /**
     * job-0 SUCCEEDED, job-1 FAILED, job-2 CANCELLED, job-3 SKIPPED, job-4 FAILED with
     * the failure ignored.
     */
    private final List<Job> jobs = List.of(aJob("job-0").succeeded().build(), aJob("job-1").failed().build(),
            aJob("job-2").cancelled().build(), aJob("job-3").skipped().build(),
            aJob("job-4").running().build().failedIgnored(FAILURE, false, T0.plusSeconds(2)));

    /** The batch the jobs make: FAILED by job-1, job-0's second tallied. */
    private final Batch ended = aBatch().withBuiltJobs(jobs)
        .failed()
        .tally(new JobTally(1, 0, 1_000))
        .cancellation(CancellationCause.jobFailed(CauseType.JOB_FAILED, "job-1", FAILURE, T0.plusSeconds(1))
            .completed(T0.plusSeconds(1)))
        .build();

    @Test
    void byDefaultEveryFailedCancelledAndSkippedJobRunsAgain() {
        RedrivePlan plan = RedrivePlan.of(ended, jobs, RedriveSelection.ALL, AT, "key:test", KEY);

        assertThat(plan.redriven()).extracting(Job::id).containsExactly("job-1", "job-2", "job-3", "job-4");
        assertThat(plan.redriven()).allSatisfy(job -> {
            assertThat(job.state()).isEqualTo(JobState.PENDING);
            assertThat(job.run()).isEqualTo(2);
            assertThat(job.attempts()).isZero();
            assertThat(job.ignored()).isFalse();
        });
        assertThat(plan.jobs()).extracting(Job::id).containsExactly("job-0", "job-1", "job-2", "job-3", "job-4");
        assertThat(plan.jobs().getFirst()).as("the succeeded job is kept as it is").isSameAs(jobs.getFirst());
        assertThat(plan.jobs().subList(1, 5)).containsExactlyElementsOf(plan.redriven());

        Batch next = plan.batch();
        assertThat(next.state()).isEqualTo(BatchState.QUEUED);
        assertThat(next.run()).isEqualTo(2);
        assertThat(next.redrive()).isEqualTo(new Redrive(AT, "key:test", 4, "redrive-1", "fingerprint-1"));
        assertThat(next.runQueuedAt()).isEqualTo(AT);
        assertThat(next.cancellation()).isNull();
        assertThat(next.pastRuns()).containsExactly(new RunSummary(1, T0, ended.startedAt(), ended.finishedAt(),
                BatchState.FAILED, ended.cancellation(), null));
        assertThat(next.counts()).isEqualTo(new JobCounts(5, 4, 0, 1, 0, 0, 0));
        assertThat(next.tally()).as("the ignored failure runs again; the success stays")
            .isEqualTo(new JobTally(0, 0, 1_000));
    }

    @Test
    void aRedriveWithoutAKeyKeepsNone() {
        RedrivePlan plan = RedrivePlan.of(ended, jobs, RedriveSelection.ALL, AT, "jwt:alice", null);
        assertThat(plan.batch().redrive()).isEqualTo(new Redrive(AT, "jwt:alice", 4, null, null));
    }

    @Test
    void onlyTheSelectedStatesRunAgain() {
        RedrivePlan failed = RedrivePlan.of(ended, jobs, selection(null, JobState.FAILED), AT, "key:test", null);
        assertThat(failed.redriven()).extracting(Job::id).containsExactly("job-1", "job-4");
        assertThat(failed.batch().counts()).isEqualTo(new JobCounts(5, 2, 0, 1, 0, 1, 1));
        assertThat(failed.batch().tally()).isEqualTo(new JobTally(0, 0, 1_000));
        assertThat(failed.batch().redrive().jobs()).isEqualTo(2);

        RedrivePlan stopped = RedrivePlan.of(ended, jobs, selection(null, JobState.CANCELLED, JobState.SKIPPED), AT,
                "key:test", null);
        assertThat(stopped.redriven()).extracting(Job::id).containsExactly("job-2", "job-3");
        assertThat(stopped.batch().counts()).isEqualTo(new JobCounts(5, 2, 0, 1, 2, 0, 0));
        assertThat(stopped.batch().tally()).as("the ignored failure stays one").isEqualTo(ended.tally());
        assertThat(stopped.jobs().get(4)).isSameAs(jobs.get(4));
    }

    @Test
    void onlyTheNamedJobsRunAgainInSubmissionOrder() {
        RedrivePlan plan = RedrivePlan.of(ended, jobs,
                new RedriveSelection(RedriveSelection.REDRIVABLE, List.of("job-3", "job-1")), AT, "key:test", null);

        assertThat(plan.redriven()).extracting(Job::id).containsExactly("job-1", "job-3");
        assertThat(plan.jobs()).extracting(Job::state)
            .containsExactly(JobState.SUCCEEDED, JobState.PENDING, JobState.CANCELLED, JobState.PENDING,
                    JobState.FAILED);
        assertThat(plan.batch().redrive().jobs()).isEqualTo(2);
        assertThat(plan.batch().counts()).isEqualTo(new JobCounts(5, 2, 0, 1, 1, 1, 0));
    }

    @Test
    void namedJobsMustBeInTheSelectedStates() {
        RedrivePlan plan = RedrivePlan.of(ended, jobs, selection(List.of("job-4"), JobState.FAILED), AT, "key:test",
                null);
        assertThat(plan.redriven()).extracting(Job::id).containsExactly("job-4");

        assertThatThrownBy(() -> RedrivePlan.of(ended, jobs, selection(List.of("job-1", "job-2"), JobState.FAILED), AT,
                "key:test", null))
            .isInstanceOfSatisfying(InvalidBatchException.class,
                    e -> assertThat(e.violations()).containsExactly(new InvalidBatchException.Violation("jobIds[1]",
                            "the job is CANCELLED; a redrive runs jobs in [FAILED]")));
    }

    @Test
    void everyWrongJobIdIsNamedByItsIndex() {
        var selection = new RedriveSelection(RedriveSelection.REDRIVABLE,
                List.of("job-1", "no-such-job", "job-1", "job-0", "job-2"));

        assertThatThrownBy(() -> RedrivePlan.of(ended, jobs, selection, AT, "key:test", KEY))
            .isInstanceOfSatisfying(InvalidBatchException.class, e -> {
                assertThat(e.violations()).extracting(InvalidBatchException.Violation::field)
                    .containsExactly("jobIds[1]", "jobIds[2]", "jobIds[3]");
                assertThat(e.violations().get(0).message()).contains("no job with this id");
                assertThat(e.violations().get(1).message()).contains("repeats");
                assertThat(e.violations().get(2).message()).contains("SUCCEEDED")
                    .contains("[FAILED, CANCELLED, SKIPPED]");
            });
    }

    @Test
    void anUnknownIdGivenTwiceIsUnknownThenRepeated() {
        var selection = new RedriveSelection(RedriveSelection.REDRIVABLE, List.of("nope", "nope"));

        assertThatThrownBy(() -> RedrivePlan.of(ended, jobs, selection, AT, "key:test", null)).isInstanceOfSatisfying(
                InvalidBatchException.class,
                e -> assertThat(e.violations())
                    .extracting(InvalidBatchException.Violation::field, InvalidBatchException.Violation::message)
                    .containsExactly(tuple("jobIds[0]", "the batch has no job with this id"),
                            tuple("jobIds[1]", "repeats a job id given before it")));
    }

    @Test
    void aBatchWithNothingToRedriveIsAConflict() {
        List<Job> succeeded = List.of(aJob("job-0").succeeded().build(), aJob("job-1").succeeded().build());
        Batch allSucceeded = aBatch().withBuiltJobs(succeeded).succeeded().build();

        assertThatThrownBy(() -> RedrivePlan.of(allSucceeded, succeeded, RedriveSelection.ALL, AT, "key:test", KEY))
            .isInstanceOfSatisfying(BatchStateConflictException.class, e -> {
                assertThat(e.batchId()).isEqualTo(allSucceeded.id());
                assertThat(e.state()).isEqualTo(BatchState.SUCCEEDED);
                assertThat(e).hasMessageContaining("no job in [FAILED, CANCELLED, SKIPPED]");
            });
    }

    @Test
    void aSelectionOfStatesNoJobIsInIsAConflict() {
        List<Job> failed = List.of(aJob("job-0").succeeded().build(), aJob("job-1").failed().build());
        Batch batch = aBatch().withBuiltJobs(failed).failed().build();

        assertThatThrownBy(() -> RedrivePlan.of(batch, failed, selection(null, JobState.SKIPPED, JobState.CANCELLED),
                AT, "key:test", null))
            .isInstanceOf(BatchStateConflictException.class)
            .hasMessageContaining("no job in [CANCELLED, SKIPPED]");
        assertThat(RedrivePlan.mayTakeAJob(batch, selection(null, JobState.SKIPPED, JobState.CANCELLED)))
            .as("the counts tell it before the jobs are read")
            .isFalse();
        assertThat(RedrivePlan.mayTakeAJob(batch, selection(null, JobState.FAILED))).isTrue();
        assertThatIllegalArgumentException().isThrownBy(() -> selection(List.of(), JobState.FAILED))
            .withMessageContaining("names no job");
    }

    @Test
    void aBatchWhoseSuccessPolicyTheKeptSuccessesMeetIsAConflict() {
        List<Job> ended = List.of(aJob("job-0").succeeded().build(), aJob("job-1").skipped().build());
        Batch batch = aBatch().withBuiltJobs(ended)
            .policies(new BatchPolicies(null, 0, List.of(), new SuccessPolicy.MinSucceeded(1)))
            .succeeded()
            .build();

        assertThatThrownBy(() -> RedrivePlan.of(batch, ended, RedriveSelection.ALL, AT, "key:test", null))
            .isInstanceOf(BatchStateConflictException.class)
            .hasMessageContaining("its success policy is met by the jobs that succeeded");
    }

    @Test
    void aBatchThatHasNotEndedIsNotPlanned() {
        Batch running = aBatch().withBuiltJobs(jobs).running().build();
        assertThatThrownBy(() -> RedrivePlan.of(running, jobs, RedriveSelection.ALL, AT, "key:test", null))
            .isInstanceOf(IllegalStateTransitionException.class);
    }

    static Stream<Arguments> selections() {
        return Stream.of(Arguments.of(RedriveSelection.ALL), Arguments.of(selection(null, JobState.FAILED)),
                Arguments.of(selection(null, JobState.SKIPPED)),
                Arguments.of(selection(null, JobState.CANCELLED, JobState.FAILED)),
                Arguments.of(selection(List.of("job-4", "job-2"), JobState.FAILED, JobState.CANCELLED)),
                Arguments.of(new RedriveSelection(RedriveSelection.REDRIVABLE, List.of("job-3"))));
    }

    @ParameterizedTest
    @MethodSource("selections")
    void thePlannedBatchCountsItsJobsAsThePlanLeavesThem(RedriveSelection selection) {
        RedrivePlan plan = RedrivePlan.of(ended, jobs, selection, AT, "key:test", null);

        assertThat(plan.batch().counts()).isEqualTo(countsOf(plan.jobs()));
        assertThat(plan.batch().tally().ignoredFailures()).isEqualTo(
                (int) plan.jobs().stream().filter(job -> job.state() == JobState.FAILED && job.ignored()).count());
        assertThat(plan.batch().redrive().jobs()).isEqualTo(plan.redriven().size());
        assertThat(plan.redriven()).allSatisfy(job -> assertThat(job.state()).isEqualTo(JobState.PENDING));
        assertThat(plan.jobs()).filteredOn(job -> job.state() != JobState.PENDING)
            .allSatisfy(job -> assertThat(job.run()).isOne());
    }

    private static RedriveSelection selection(@Nullable List<String> jobIds, JobState... states) {
        Set<JobState> chosen = EnumSet.noneOf(JobState.class);
        chosen.addAll(Arrays.asList(states));
        return new RedriveSelection(chosen, jobIds);
    }

    private static JobCounts countsOf(List<Job> jobs) {
        JobCounts counts = JobCounts.allPending(jobs.size());
        for (Job job : jobs) {
            counts = job.state() == JobState.PENDING ? counts : counts.moved(JobState.PENDING, job.state());
        }
        return counts;
    }

}
