package dev.failfast.batch;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life cycle of a batch: QUEUED → RUNNING → (CANCELLING) → SUCCEEDED | FAILED |
 * CANCELLED.
 */
public enum BatchState {

    QUEUED, RUNNING, CANCELLING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isTerminal() {
        return switch (this) {
            case QUEUED, RUNNING, CANCELLING -> false;
            case SUCCEEDED, FAILED, CANCELLED -> true;
        };
    }

    public Set<BatchState> allowedNext() {
        return switch (this) {
            // A batch can be cancelled (or hit its deadline) before any job started.
            case QUEUED -> EnumSet.of(RUNNING, CANCELLING, FAILED, CANCELLED);
            case RUNNING -> EnumSet.of(CANCELLING, SUCCEEDED, FAILED, CANCELLED);
            // SUCCEEDED: a met success policy stops the other jobs as a failure would.
            case CANCELLING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(BatchState.class);
        };
    }

    /**
     * Returns {@code next} if this state may move to it, else throws naming both states.
     */
    public BatchState transitionTo(BatchState next) {
        if (!allowedNext().contains(next)) {
            throw new IllegalStateTransitionException("batch", this, next);
        }
        return next;
    }

}
