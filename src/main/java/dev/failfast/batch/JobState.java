package dev.failfast.batch;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life cycle of a job: PENDING → RUNNING → SUCCEEDED | FAILED | CANCELLED, or PENDING →
 * SKIPPED.
 *
 * <p>
 * CANCELLED means the job ran and was stopped by the batch's cancellation; SKIPPED means
 * it never started because the batch stopped first. {@link #allowedNext()} is the whole
 * table, and {@link Job}'s transitions are the only code that changes a job's state. The
 * moves beyond the straight line, each for one reason:
 *
 * <ul>
 * <li>RUNNING → RUNNING: an attempt failed and the job waits out its retry backoff, then
 * runs again ({@link Job#retrying}, {@link Job#started}); or the attempt's target asked
 * to be called again later, and the job waits that long, the attempt not counted as a
 * failure ({@link Job#deferred}).
 * <li>RUNNING → PENDING: the job is put back to be started again, because the process
 * that ran it was lost ({@link Job#requeued}) or a cluster replica claimed it and never
 * learned of the claim ({@link Job#unclaimed}).
 * <li>PENDING → CANCELLED: a job put back after it ran is stopped by the batch's cause
 * before it runs again; it ran, so it is not SKIPPED ({@link Job#stoppedWhilePending}).
 * <li>RUNNING → SKIPPED: a cluster replica claimed the job (RUNNING in the database) but
 * the batch's cause arrived before its first attempt started
 * ({@link Job#claimWithdrawn}).
 * <li>FAILED | CANCELLED | SKIPPED → PENDING: a client redrove the (terminal) batch, and
 * the job runs again in the batch's next run ({@link Job#redriven}). A SUCCEEDED job is
 * never run again: its result is kept.
 * </ul>
 */
public enum JobState {

    PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, SKIPPED;

    public boolean isTerminal() {
        return switch (this) {
            case PENDING, RUNNING -> false;
            case SUCCEEDED, FAILED, CANCELLED, SKIPPED -> true;
        };
    }

    public Set<JobState> allowedNext() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNING, SKIPPED, CANCELLED);
            case RUNNING -> EnumSet.of(RUNNING, PENDING, SUCCEEDED, FAILED, CANCELLED, SKIPPED);
            case SUCCEEDED -> EnumSet.noneOf(JobState.class);
            case FAILED, CANCELLED, SKIPPED -> EnumSet.of(PENDING);
        };
    }

    /**
     * Returns {@code next} if this state may move to it, else throws naming both states.
     */
    public JobState transitionTo(JobState next) {
        if (!allowedNext().contains(next)) {
            throw new IllegalStateTransitionException("job", this, next);
        }
        return next;
    }

}
