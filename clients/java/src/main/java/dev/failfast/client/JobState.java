package dev.failfast.client;

/** The state of a job, as the service reports it. */
public enum JobState {

    /** Not started yet. */
    PENDING,
    /** An attempt is running (for a {@code remote:} job: also while it waits for a worker). */
    RUNNING,
    /** Ended with a result. */
    SUCCEEDED,
    /** Ended with an error. */
    FAILED,
    /** Stopped while it ran. */
    CANCELLED,
    /** Never started: the batch stopped first. */
    SKIPPED;

    /** Whether the job has ended. */
    public boolean isTerminal() {
        return this != PENDING && this != RUNNING;
    }

}
