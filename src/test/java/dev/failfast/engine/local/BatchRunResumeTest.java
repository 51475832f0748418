package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.OWNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.Deferrals;
import dev.failfast.engine.JobRun;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.InMemoryBatchStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** A batch resumed after a restart hands out only the jobs that are still PENDING. */
class BatchRunResumeTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdown();
    }

    @Test
    void jobsThatStartedOutOfOrderBeforeTheRestartAreNotHandedOutAgain() {
        // Jobs are handed out in order but may start out of order: job-1 had failed while
        // job-0 still waited.
        List<Job> jobs = List.of(Job.pending(spec("job-0")), new Job(spec("job-1"), JobState.FAILED, 1, T0, T0,
                new JobError(JobError.JOB_ERROR, "boom", null), null, false), Job.pending(spec("job-2")));
        BatchSpec spec = new BatchSpec("resumed", Map.of(), FailurePolicy.CONTINUE, 0, 3, null,
                jobs.stream().map(Job::spec).toList());
        JobCounts counts = JobCounts.allPending(3).moved(JobState.PENDING, JobState.FAILED);
        Batch batch = new Batch(UUID.randomUUID(), OWNER, spec, BatchState.RUNNING, T0, T0, null, counts, null);
        scheduler.initialize();
        var runner = new AttemptRunner(new JobHandlers(List.of()), JsonMapper.shared(), 1024, Deferrals.NONE);
        var context = new RunContext(Clock.systemUTC(),
                new AttemptTimers(scheduler, Clock.systemUTC(), Duration.ofSeconds(1)),
                new BatchPublisher(new InMemoryBatchStore(), new BatchEvents(List.of())), pending(2),
                new Dispatcher(new SyncTaskExecutor(), 1, 1, runner, Clock.systemUTC(), tenant -> Integer.MAX_VALUE),
                run -> {
                }, Deferrals.NONE);

        BatchRun run = new BatchRun(context, batch, jobs, null);

        assertThat(run.reserveNext()).extracting(JobRun::id).isEqualTo("job-0");
        assertThat(run.reserveNext()).extracting(JobRun::id).isEqualTo("job-2");
        assertThat(run.reserveNext()).isNull();
        assertThat(run.hasDispatchable()).isFalse();
    }

    private static JobSpec spec(String id) {
        return new JobSpec(id, "sleep", JsonNodeFactory.instance.objectNode(), null, RetryPolicy.NONE);
    }

    /** The pending-jobs count as admission left it for the batch's jobs. */
    private static CountedPendingJobs pending(int jobs) {
        var pending = new CountedPendingJobs();
        pending.resumed(OWNER.tenant(), jobs);
        return pending;
    }

}
