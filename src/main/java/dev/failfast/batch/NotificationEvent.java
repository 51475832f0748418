package dev.failfast.batch;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a notification tells: a batch's run ended, in a given state or in any, or its
 * first job failed. Each happens at most once per run of a batch, so a batch, its run and
 * an event name one notification per target.
 */
public enum NotificationEvent {

    // First: when one version reaches it and the run's end together, it is recorded, and
    // so delivered, first.
    /**
     * A job of the run failed for the first time in it, whatever the failure policy (also
     * under CONTINUE, and for a failure an IGNORE rule excuses).
     */
    BATCH_FIRST_FAILURE("batch.first_failure"),

    /** The run ended FAILED. */
    BATCH_FAILED("batch.failed"),
    /** The run ended SUCCEEDED. */
    BATCH_SUCCEEDED("batch.succeeded"),
    /** The run ended CANCELLED (a user's cancel, a deadline). */
    BATCH_CANCELLED("batch.cancelled"),
    /** The run ended, in any terminal state. */
    BATCH_FINISHED("batch.finished");

    private final String value;

    NotificationEvent(String value) {
        this.value = value;
    }

    /** The event as clients and receivers write it, such as {@code batch.failed}. */
    public String value() {
        return value;
    }

    /** The event written {@code value}, if there is one. */
    public static Optional<NotificationEvent> of(String value) {
        return Arrays.stream(values()).filter(event -> event.value.equals(value)).findFirst();
    }

    /**
     * The events that this version of a batch has reached in its current run: its end (by
     * state, and {@link #BATCH_FINISHED}) once terminal, and {@link #BATCH_FIRST_FAILURE}
     * once a job of the run failed. A store records a notification for each the first
     * time it writes a version that reached it, so this depends on the version alone,
     * never on the one before: versions coalesced by a write-behind buffer lose no event.
     */
    public static Set<NotificationEvent> reachedBy(Batch batch) {
        Set<NotificationEvent> reached = EnumSet.noneOf(NotificationEvent.class);
        if (batch.failedInRun() > 0) {
            reached.add(BATCH_FIRST_FAILURE);
        }
        switch (batch.state()) {
            case SUCCEEDED -> reached.add(BATCH_SUCCEEDED);
            case FAILED -> reached.add(BATCH_FAILED);
            case CANCELLED -> reached.add(BATCH_CANCELLED);
            case QUEUED, RUNNING, CANCELLING -> {
                return reached;
            }
        }
        reached.add(BATCH_FINISHED);
        return reached;
    }

    @Override
    public String toString() {
        return value;
    }

}
