package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.OWNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.failfast.batch.AttemptRecord;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.Redrive;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.BatchEvents;
import dev.failfast.settings.FailfastProperties.RecoveryMode;
import dev.failfast.store.InMemoryBatchStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A redriven batch that a previous process left running is recovered in its run: settled
 * (FAIL) with the run's cause and its earlier runs kept, or resumed (RESUME) with the
 * run's deadline, which counts from the redrive.
 */
class RedrivenBatchRecoveryTest {

    private static final Instant SUBMITTED = Instant.parse("2026-12-01T10:00:00Z");

    private static final Instant REDRIVEN = SUBMITTED.plus(Duration.ofHours(1));

    private static final Instant RESTARTED = REDRIVEN.plusSeconds(30);

    private final InMemoryBatchStore store = new InMemoryBatchStore();

    /** Run 2 of a CONTINUE batch: its one job failed in run 1 and runs again, RUNNING. */
    private Batch leftRunningInRun2() {
        JobSpec spec = new JobSpec("a", "sleep", JsonNodeFactory.instance.objectNode(), null, RetryPolicy.NONE);
        BatchSpec batchSpec = new BatchSpec("redriven", Map.of(), FailurePolicy.CONTINUE, null, 1,
                Duration.ofMinutes(5), List.of(spec));
        Job pending = Job.pending(spec);
        Job started = pending.started(1, SUBMITTED);
        Job failed = started.failed(new JobError(JobError.JOB_ERROR, "boom", null), false, SUBMITTED.plusSeconds(1));
        Batch run1 = Batch.queued(UUID.randomUUID(), OWNER, batchSpec, SUBMITTED)
            .started(SUBMITTED)
            .withJobMoved(pending, started)
            .withJobMoved(started, failed)
            .endedIfDone(SUBMITTED.plusSeconds(1));
        assertThat(run1.state()).isEqualTo(BatchState.FAILED);

        Job again = failed.redriven(2);
        Job running = again.started(1, REDRIVEN.plusSeconds(1));
        Batch run2 = run1.redriven(new Redrive(REDRIVEN, "key:ops", 1, null, null))
            .withJobMoved(failed, again)
            .started(REDRIVEN.plusSeconds(1))
            .withJobMoved(again, running);
        store.create(run2, List.of(running));
        return run2;
    }

    @Test
    void settledItEndsItsRunWithTheCauseAndKeepsTheRunBefore() {
        Batch left = leftRunningInRun2();

        recovery(RecoveryMode.FAIL).recover((batch, jobs) -> {
            throw new AssertionError("FAIL settles, it resumes nothing");
        });

        Batch settled = store.findBatch(left.id()).orElseThrow();
        assertThat(settled.state()).isEqualTo(BatchState.FAILED);
        assertThat(settled.run()).isEqualTo(2);
        assertThat(settled.cancellation().cause()).isEqualTo(CauseType.OWNER_LOST);
        assertThat(settled.pastRuns()).singleElement().satisfies(past -> {
            assertThat(past.number()).isOne();
            assertThat(past.state()).isEqualTo(BatchState.FAILED);
            assertThat(past.cause()).isNull();
        });
        Job job = store.findJob(left.id(), "a").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.run()).isEqualTo(2);
        assertThat(job.history()).extracting(AttemptRecord::run, AttemptRecord::number, AttemptRecord::end)
            .containsExactly(tuple(1, 1, AttemptRecord.End.FAILED), tuple(2, 1, AttemptRecord.End.INTERRUPTED));
    }

    @Test
    void resumedItRunsOnInItsRunWithTheDeadlineOfTheRedrive() {
        Batch left = leftRunningInRun2();
        List<Batch> resumed = new ArrayList<>();

        recovery(RecoveryMode.RESUME).recover((batch, jobs) -> {
            resumed.add(batch);
            assertThat(jobs).extracting(Job::run).containsExactly(2);
        });

        assertThat(resumed).singleElement().satisfies(batch -> {
            assertThat(batch.id()).isEqualTo(left.id());
            assertThat(batch.run()).isEqualTo(2);
            assertThat(batch.runQueuedAt()).isEqualTo(REDRIVEN);
            assertThat(batch.deadlineAt()).as("five minutes after the redrive, not after the submission")
                .isEqualTo(REDRIVEN.plus(Duration.ofMinutes(5)));
        });
    }

    private BatchRecovery recovery(RecoveryMode mode) {
        return new BatchRecovery(store, new BatchPublisher(store, new BatchEvents(List.of())),
                Clock.fixed(RESTARTED, ZoneOffset.UTC), mode);
    }

}
