package dev.failfast.engine;

import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * An engine's mutable record of one job it runs: the job as it stands, its attempt on a
 * thread if one runs, and its retry timer while it waits out a backoff. Every mutable
 * field is guarded by the lock of the job's batch (a single instance's {@code BatchRun},
 * a replica's {@code HeldBatch}).
 */
public class JobRun {

    private Job job;

    private final @Nullable Object parsedParams;

    private @Nullable Attempt attempt;

    private @Nullable ScheduledFuture<?> retryTimer;

    /**
     * @param parsedParams the params as the job's handler parsed them at submission; null
     * when the job came back from the store (a restart, another replica's submission):
     * each attempt then parses them
     */
    public JobRun(Job job, @Nullable Object parsedParams) {
        this.job = job;
        this.parsedParams = parsedParams;
    }

    public String id() {
        return job.id();
    }

    public Job job() {
        return job;
    }

    public void job(Job changed) {
        this.job = changed;
    }

    public @Nullable Object parsedParams() {
        return parsedParams;
    }

    /** The attempt running on a thread now, if any. */
    public @Nullable Attempt attempt() {
        return attempt;
    }

    public void attempt(@Nullable Attempt running) {
        this.attempt = running;
    }

    /** RUNNING while waiting out a retry backoff, with no thread working on it. */
    public boolean isBetweenAttempts() {
        return attempt == null && job.state() == JobState.RUNNING;
    }

    public void retryTimer(@Nullable ScheduledFuture<?> timer) {
        this.retryTimer = timer;
    }

    /** Cancels the retry timer, if one is waiting. */
    public void cancelRetry() {
        if (retryTimer != null) {
            retryTimer.cancel(false);
            retryTimer = null;
        }
    }

}
