package dev.failfast.batch;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life cycle of a batch: QUEUED → RUNNING → (CANCELLING) → SUCCEEDED | FAILED |
 * CANCELLED, one run at a time.
 *
 * <p>
 * A terminal state ends a run: nothing runs and no cause is pending. The one move out of
 * it is a client's redrive ({@link Batch#redriven}), which queues the next run of some of
 * its jobs: terminal → QUEUED.
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
            // A redrive runs some of its jobs again, as the batch's next run.
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.of(QUEUED);
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
