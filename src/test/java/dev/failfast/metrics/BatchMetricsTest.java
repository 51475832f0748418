package dev.failfast.metrics;

import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestJobs.aJob;
import static dev.failfast.batch.TestJobs.sleepJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.job.JobHandlers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The running-jobs gauge and retry counter follow every batch, including one resumed
 * after a restart.
 */
class BatchMetricsTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    final BatchMetrics metrics = new BatchMetrics(registry, new JobHandlers(List.of()));

    @Test
    void aResumedBatchNeverSubmittedInThisProcessIsCounted() {
        JobSpec spec = sleepJob("a", Duration.ofSeconds(1)).build();
        // As a restart finds it: running in the store, never submitted in this process.
        Batch batch = aBatch().named("resumed")
            .maxParallelism(1)
            .withJobs(aJob(spec))
            .running()
            .createdAt(T0)
            .startedAt(T0)
            .build();

        metrics.onEvent(new BatchEvent.JobChanged(batch, job(spec, JobState.RUNNING, 2)));
        assertThat(running()).isEqualTo(1);
        metrics.onEvent(new BatchEvent.JobChanged(batch, job(spec, JobState.RUNNING, 2)));
        assertThat(registry.get("failfast.job.retries").counter().count()).isEqualTo(1);

        metrics.onEvent(new BatchEvent.JobChanged(batch, job(spec, JobState.SUCCEEDED, 2)));
        assertThat(running()).isZero();
    }

    private double running() {
        return registry.get("failfast.jobs.running").gauge().value();
    }

    private static Job job(JobSpec spec, JobState state, int attempts) {
        return aJob(spec).inState(state)
            .attempts(attempts)
            .startedAt(T0)
            .finishedAt(state.isTerminal() ? T0.plusSeconds(1) : null)
            .build();
    }

}
