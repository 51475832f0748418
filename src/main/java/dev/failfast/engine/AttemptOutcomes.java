package dev.failfast.engine;

import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import java.time.Instant;

/**
 * What an attempt's outcome makes of its job: one rule for both engines (tested as a
 * table in {@code AttemptOutcomesTest}).
 *
 * <ul>
 * <li>Succeeded: SUCCEEDED with its result.
 * <li>Failed, or stopped by its timeout: retried (RUNNING with the error, waiting out its
 * backoff) while attempts are left and the batch is not stopping, else FAILED.
 * <li>Deferred (its target asked to be called again later): still RUNNING, waiting, the
 * attempt counted as deferred and not against {@code maxAttempts}; CANCELLED, keeping the
 * reason, if the batch is stopping. Never a failure, so never a cause.
 * <li>Stopped by the batch's cancellation: CANCELLED.
 * <li>Abandoned (it ignored its token for the grace period): CANCELLED if the batch was
 * cancelled, FAILED with TIMEOUT if it timed out, marked abandoned either way. An
 * abandoned attempt is never retried: its thread may still run, and a job never has two
 * attempts at once.
 * </ul>
 */
public final class AttemptOutcomes {

    private AttemptOutcomes() {
    }

    /**
     * @param job the job as it ran the attempt (RUNNING)
     * @param batchStopping the batch has a cause, or the write this outcome is part of
     * records one: a failed attempt is then not retried
     */
    public static Job jobAfter(Job job, Outcome outcome, boolean batchStopping, Instant now) {
        return switch (outcome) {
            case Outcome.Succeeded(var result) -> job.succeeded(result, now);
            case Outcome.Failed(JobError error) -> failed(job, error, batchStopping, now);
            case Outcome.Deferred(JobError error, var delay) ->
                batchStopping ? job.deferred(error, now).cancelledKeepingLastError(now) : job.deferred(error, now);
            case Outcome.Stopped(StopReason reason) when reason == StopReason.TIMEOUT ->
                failed(job, timeout(job), batchStopping, now);
            case Outcome.Stopped ignored -> job.cancelled(false, now);
            case Outcome.Abandoned(StopReason reason) when reason == StopReason.TIMEOUT ->
                job.failed(timeout(job), true, now);
            case Outcome.Abandoned ignored -> job.cancelled(true, now);
        };
    }

    private static Job failed(Job job, JobError error, boolean batchStopping, Instant now) {
        boolean attemptsLeft = job.countedAttempts() < job.spec().retry().maxAttempts();
        return !batchStopping && attemptsLeft ? job.retrying(error, now) : job.failed(error, false, now);
    }

    private static JobError timeout(Job job) {
        return JobError.timeout(job.spec().timeout());
    }

}
