package dev.failfast.batch;

import org.jspecify.annotations.Nullable;

/**
 * What stopping a batch did, kept with its cancellation cause: how many jobs were caught
 * running and how many never started, and the work the stop threw away and the work it
 * saved. Counted as the jobs stop, so reading it costs O(1).
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
}
