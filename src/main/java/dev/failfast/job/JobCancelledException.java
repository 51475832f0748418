package dev.failfast.job;

/** Thrown by a job that stopped because its {@link CancellationToken} was cancelled. */
public class JobCancelledException extends RuntimeException {

    public JobCancelledException() {
        super("Job cancelled");
    }

}
