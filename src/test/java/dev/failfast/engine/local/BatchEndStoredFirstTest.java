package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.OWNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.Deferrals;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.InMemoryBatchStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A batch leaves the engine's active set only once its terminal change is in the store:
 * shutdown waits for the active set to empty, flushes the store, then releases the
 * instance lease, and a terminal write that came later would be left to after the
 * release.
 */
class BatchEndStoredFirstTest {

    final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdown();
    }

    @Test
    void whenABatchIsReportedTerminatedItsTerminalStateIsInTheStore() {
        var store = new InMemoryBatchStore();
        List<BatchState> storedWhenTerminated = new CopyOnWriteArrayList<>();
        scheduler.initialize();
        List<Job> jobs = List.of(Job
            .pending(new JobSpec("job-0", "sleep", JsonNodeFactory.instance.objectNode(), null, RetryPolicy.NONE)));
        BatchSpec spec = new BatchSpec("ends", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, null,
                jobs.stream().map(Job::spec).toList());
        Batch batch = new Batch(UUID.randomUUID(), OWNER, spec, BatchState.QUEUED, Instant.now(), null, null,
                JobCounts.allPending(1), null);
        store.create(batch, jobs);
        var runner = new AttemptRunner(new JobHandlers(List.of()), JsonMapper.shared(), 1024, Deferrals.NONE);
        var context = new RunContext(Clock.systemUTC(),
                new AttemptTimers(scheduler, Clock.systemUTC(), Duration.ofSeconds(1)),
                new BatchPublisher(store, new BatchEvents(List.of())), pending(1),
                new Dispatcher(new SyncTaskExecutor(), 1, 1, runner, Clock.systemUTC(), tenant -> Integer.MAX_VALUE),
                run -> storedWhenTerminated.add(store.findBatch(run.id()).orElseThrow().state()), Deferrals.NONE);
        BatchRun run = new BatchRun(context, batch, jobs, null);

        run.recordCause(CancellationCause.of(CauseType.USER_REQUESTED, "Cancelled by a client", null, Instant.now()));

        assertThat(storedWhenTerminated).containsExactly(BatchState.CANCELLED);
    }

    /** The pending-jobs count as admission left it for the batch's jobs. */
    private static CountedPendingJobs pending(int jobs) {
        var pending = new CountedPendingJobs();
        pending.resumed(OWNER.tenant(), jobs);
        return pending;
    }

}
