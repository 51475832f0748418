package dev.failfast.engine;

import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/** The engine's mutable record of one job. Every mutable field is guarded by its batch's lock. */
final class JobRun {

    Job job;
    /** The params as the job's handler parsed them at submission; null for a job resumed after a restart. */
    final @Nullable Object parsedParams;
    @Nullable Attempt attempt;
    @Nullable ScheduledFuture<?> retryTimer;
    /** Counts against the batch's maxParallelism: from dispatch until terminal or until a retry is due. */
    boolean holdsSlot;

    JobRun(Job job, @Nullable Object parsedParams) {
        this.job = job;
        this.parsedParams = parsedParams;
    }

    String id() {
        return job.id();
    }

    /** RUNNING while waiting out a retry backoff, with no thread working on it. */
    boolean isBetweenAttempts() {
        return attempt == null && job.state() == JobState.RUNNING;
    }
}
