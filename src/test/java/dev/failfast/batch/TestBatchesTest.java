package dev.failfast.batch;

import static dev.failfast.batch.TestBatches.T0;
import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestBatches.aBatchLike;
import static dev.failfast.batch.TestJobs.aJob;
import static dev.failfast.batch.TestJobs.sleepJob;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The test-data builders build what their names say, so tests can trust them without
 * reading them.
 */
class TestBatchesTest {

    @Test
    void aBatchCountsItsJobsByState() {
        var builder = aBatch().withJobs(aJob("a").running(), aJob("b").succeeded(), aJob("c"), aJob("d").skipped());

        Batch batch = builder.running().build();

        assertThat(batch.counts()).isEqualTo(new JobCounts(4, 1, 1, 1, 0, 0, 1));
        assertThat(batch.spec().jobs()).extracting(JobSpec::id).containsExactly("a", "b", "c", "d");
        assertThat(builder.jobs()).extracting(Job::state)
            .containsExactly(JobState.RUNNING, JobState.SUCCEEDED, JobState.PENDING, JobState.SKIPPED);
        assertThat(batch.state()).isEqualTo(BatchState.RUNNING);
        assertThat(batch.startedAt()).isEqualTo(T0);
        assertThat(batch.finishedAt()).isNull();
    }

    @Test
    void stateVerbsSetTheTimesTheyImplyAndSettersAfterThemWin() {
        Batch failed = aBatch().withJobs(2).failed().finishedAt(T0.plusSeconds(5)).build();
        Job retried = aJob("a").failed().attempts(3).build();

        assertThat(failed.counts()).isEqualTo(JobCounts.allPending(2));
        assertThat(failed.startedAt()).isEqualTo(T0);
        assertThat(failed.finishedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(retried.state()).isEqualTo(JobState.FAILED);
        assertThat(retried.attempts()).isEqualTo(3);
        assertThat(retried.error().type()).isEqualTo(JobError.JOB_ERROR);
        assertThat(retried.durationMillis()).isEqualTo(1000);
        assertThat(aJob("b").build()).isEqualTo(Job.pending(sleepJob("b", Duration.ofSeconds(1)).build()));
    }

    @Test
    void aBatchLikeAnotherKeepsEverythingItIsNotToldToChange() {
        var cause = CancellationCause.of(CauseType.USER_REQUESTED, "Cancelled", "why", T0);
        Batch original = aBatch().named("n")
            .label("team", "data")
            .maxFailures(2)
            .deadline(Duration.ofMinutes(1))
            .withJobs(3)
            .cancelling(cause)
            .build();

        assertThat(aBatchLike(original).build()).isEqualTo(original);
        assertThat(aBatchLike(original).cancelled().build()).usingRecursiveComparison()
            .ignoringFields("state", "finishedAt")
            .isEqualTo(original);
    }

    @Test
    void jobSpecsCarryTheirTypeParamsTimeoutAndRetries() {
        JobSpec spec = sleepJob("s", Duration.ofMillis(250)).param("failAfter", "PT0S")
            .timeout(Duration.ofSeconds(5))
            .retry(3, Duration.ofSeconds(1))
            .build();

        assertThat(spec.type()).isEqualTo("sleep");
        assertThat(spec.params().get("duration").asString()).isEqualTo("PT0.25S");
        assertThat(spec.params().get("failAfter").asString()).isEqualTo("PT0S");
        assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(spec.retry().maxAttempts()).isEqualTo(3);
        assertThat(TestJobs.httpJob("h", "http://localhost/").build().params().get("url").asString())
            .isEqualTo("http://localhost/");
    }

}
