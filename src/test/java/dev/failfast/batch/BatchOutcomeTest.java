package dev.failfast.batch;

import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestBatches.aSpec;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * When a batch is done and how it ends, and when job failures stop it: the rules both
 * engines apply.
 */
class BatchOutcomeTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void aBatchWithoutACauseIsDoneWhenNoJobWaitsOrRuns() {
        assertThat(batch(new JobCounts(3, 1, 0, 2, 0, 0, 0), null).terminalStateIfDone()).isNull();
        assertThat(batch(new JobCounts(3, 0, 1, 2, 0, 0, 0), null).terminalStateIfDone()).isNull();
        assertThat(batch(new JobCounts(3, 0, 0, 3, 0, 0, 0), null).terminalStateIfDone())
            .isEqualTo(BatchState.SUCCEEDED);
        assertThat(batch(new JobCounts(3, 0, 0, 2, 1, 0, 0), null).terminalStateIfDone()).isEqualTo(BatchState.FAILED);
    }

    @Test
    void aBatchWithACauseIsDoneWhenNoJobRunsAndEndsAsItsCauseSays() {
        var cause = CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, NOW);

        assertThat(batch(new JobCounts(3, 0, 1, 0, 0, 0, 2), cause).terminalStateIfDone()).isNull();
        assertThat(batch(new JobCounts(3, 0, 0, 0, 0, 1, 2), cause).terminalStateIfDone())
            .isEqualTo(BatchState.CANCELLED);
    }

    @Test
    void movingJobsChangesOnlyTheCounts() {
        Batch batch = batch(JobCounts.allPending(3), null);

        assertThat(batch.withJobsMoved(JobState.PENDING, JobState.RUNNING, 2))
            .isEqualTo(batch(new JobCounts(3, 1, 2, 0, 0, 0, 0), null));
        assertThat(batch.withJobsMoved(JobState.PENDING, JobState.RUNNING, 0)).isSameAs(batch);
    }

    @Test
    void failFastStopsBeyondMaxFailuresAndContinueNever() {
        assertThat(spec(FailurePolicy.FAIL_FAST, 0).causeAfterFailures(1)).isEqualTo(CauseType.JOB_FAILED);
        assertThat(spec(FailurePolicy.FAIL_FAST, 2).causeAfterFailures(2)).isNull();
        assertThat(spec(FailurePolicy.FAIL_FAST, 2).causeAfterFailures(3)).isEqualTo(CauseType.MAX_FAILURES_EXCEEDED);
        assertThat(spec(FailurePolicy.CONTINUE, 0).causeAfterFailures(10)).isNull();
    }

    private static BatchSpec spec(FailurePolicy policy, int maxFailures) {
        return aSpec().failurePolicy(policy).maxFailures(maxFailures).build();
    }

    /**
     * Running, or cancelling if it has a cause; always the same id, so that two such
     * batches can be equal.
     */
    private static Batch batch(JobCounts counts, CancellationCause cause) {
        var batch = aBatch().withId(new UUID(0, 1)).createdAt(NOW).counts(counts);
        return (cause == null ? batch.running() : batch.cancelling(cause)).build();
    }

}
