package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.job.JobHandlers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** The running-jobs gauge and retry counter follow every batch, including one resumed after a restart. */
class BatchMetricsTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final BatchMetrics metrics = new BatchMetrics(registry, new JobHandlers(List.of()));

    @Test
    void aResumedBatchNeverSubmittedInThisProcessIsCounted() {
        JobSpec spec = new JobSpec("a", "sleep", JsonNodeFactory.instance.objectNode(), null, RetryPolicy.NONE);
        Batch batch = new Batch(UUID.randomUUID(), new BatchSpec("resumed", Map.of(), FailurePolicy.FAIL_FAST, 0, 1,
                null, List.of(spec)), BatchState.RUNNING, T0, T0, null, JobCounts.allPending(1), null);

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
        return new Job(spec, state, attempts, T0, state.isTerminal() ? T0.plusSeconds(1) : null, null, null, false);
    }
}
