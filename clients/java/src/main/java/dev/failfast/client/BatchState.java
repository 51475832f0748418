package dev.failfast.client;

/** The state of a batch, as the service reports it. */
public enum BatchState {

    /** Accepted, no job started yet. */
    QUEUED,
    /** Jobs are running. */
    RUNNING,
    /** The batch's cause is recorded; its running jobs are being stopped. */
    CANCELLING,
    /** Ended: the batch succeeded. */
    SUCCEEDED,
    /** Ended: the batch failed. */
    FAILED,
    /** Ended: the batch was cancelled (by a user, a deadline). */
    CANCELLED;

    /** Whether the batch has ended (it changes no more, until a redrive). */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

}
