package dev.failfast.engine;

import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/** The engine's mutable record of one job. Every field is guarded by its batch's lock. */
final class JobRun {

    Job job;
    @Nullable Attempt attempt;
    @Nullable ScheduledFuture<?> retryTimer;
    /** Counts against the batch's maxParallelism: from dispatch until terminal or until a retry is due. */
    boolean holdsSlot;

    JobRun(Job job) {
        this.job = job;
    }

    String id() {
        return job.id();
    }

    /** RUNNING while waiting out a retry backoff, with no thread working on it. */
    boolean isBetweenAttempts() {
        return attempt == null && job.state() == JobState.RUNNING;
    }
}
