package dev.failfast.batch;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What stopping a batch did, kept with its cancellation cause: how many jobs were caught
 * running and how many never started, and the work the stop threw away and the work it
 * saved. Counted as the jobs stop, so reading it costs O(1).
 *
 * <p>
 * {@link Batch#cancelling} starts it, and {@link Batch}'s job moves count it until the
 * stop completes: the same moves on a single instance and on the cluster's rows, so both
 * count the same story alike. A job a cluster replica had claimed but not started when
 * the cause came (RUNNING in the database, SKIPPED after) counts as never started, not as
 * running, as it does on a single instance, where such a job is still PENDING.
 *
 * @param runningAtCause jobs RUNNING when the cause was recorded (those waiting out a
 * retry backoff included)
 * @param stoppedRunning of those, the ones the stop cancelled (abandoned ones included)
 * @param neverStarted jobs that never started because of the stop (SKIPPED)
 * @param abandoned jobs that ignored the cancellation past the grace period
 * @param discardedJobSeconds the running jobs' elapsed time the stop threw away: for each
 * attempt it cancelled, from the attempt's start to its stop
 * @param savedJobSeconds the work the stop saved: the jobs that never started times the
 * mean duration of the batch's succeeded jobs; null when no job had succeeded, so there
 * is nothing to estimate from
 */
public record StopReport(int runningAtCause, int stoppedRunning, int neverStarted, int abandoned,
        double discardedJobSeconds, @Nullable Double savedJobSeconds) {

    /** The report of a cause just recorded with {@code running} jobs RUNNING. */
    public static StopReport atCause(int running) {
        return new StopReport(running, 0, 0, 0, 0.0, null);
    }

    /** The report after {@code n} jobs moved from {@code from} to {@code to}. */
    StopReport moved(JobState from, JobState to, int n) {
        int running = runningAtCause;
        int stopped = stoppedRunning;
        int skipped = neverStarted;
        if (from == JobState.RUNNING && (to == JobState.SKIPPED || to == JobState.PENDING)) {
            running -= n; // claimed, never started: it was not running
        }
        if (to == JobState.SKIPPED) {
            skipped += n;
        }
        if (from == JobState.RUNNING && to == JobState.CANCELLED) {
            stopped += n;
        }
        return new StopReport(running, stopped, skipped, abandoned, discardedJobSeconds, savedJobSeconds);
    }

    /**
     * The report after {@code job}, counted RUNNING at the cause, was CANCELLED by it:
     * the attempt it stopped adds its elapsed time, and an abandoned one is counted.
     */
    StopReport stopped(Job job) {
        AttemptRecord last = job.lastAttempt();
        Duration elapsed = last == null || last.end() != AttemptRecord.End.CANCELLED ? null : last.elapsed();
        double discarded = discardedJobSeconds + (elapsed == null ? 0.0 : elapsed.toNanos() / 1e9);
        return new StopReport(runningAtCause, stoppedRunning, neverStarted, abandoned + (job.abandoned() ? 1 : 0),
                discarded, savedJobSeconds);
    }

    /**
     * The report with the work saved estimated from the batch's succeeded jobs, as
     * {@code counts} and {@code tally} stand.
     */
    StopReport estimated(JobCounts counts, JobTally tally) {
        Double saved = counts.succeeded() == 0 ? null
                : neverStarted * (tally.succeededMillis() / 1000.0) / counts.succeeded();
        return new StopReport(runningAtCause, stoppedRunning, neverStarted, abandoned, discardedJobSeconds, saved);
    }

}
