package dev.failfast.batch;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life cycle of a job: PENDING → RUNNING → SUCCEEDED | FAILED | CANCELLED, or PENDING → SKIPPED.
 *
 * <p>CANCELLED means the job was running and was stopped by the batch's cancellation; SKIPPED
 * means it never started because the batch stopped first.
 */
public enum JobState {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    SKIPPED;

    public boolean isTerminal() {
        return switch (this) {
            case PENDING, RUNNING -> false;
            case SUCCEEDED, FAILED, CANCELLED, SKIPPED -> true;
        };
    }

    public Set<JobState> allowedNext() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNING, SKIPPED);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
            case SUCCEEDED, FAILED, CANCELLED, SKIPPED -> EnumSet.noneOf(JobState.class);
        };
    }

    /** Returns {@code next} if this state may move to it, else throws naming both states. */
    public JobState transitionTo(JobState next) {
        if (!allowedNext().contains(next)) {
            throw new IllegalStateTransitionException("job", this, next);
        }
        return next;
    }
}
