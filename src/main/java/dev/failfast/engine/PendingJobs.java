package dev.failfast.engine;

/** Jobs waiting to start, as admission control counts them. */
public interface PendingJobs {

    /** Jobs of active batches that have not started. */
    long count();

    /**
     * Counts {@code jobs} more if that keeps the count within {@code max}; returns false,
     * counting nothing, if it would not.
     */
    boolean tryAdd(int jobs, long max);

    /** Takes back jobs added by {@link #tryAdd} whose batch was not stored after all. */
    void remove(int jobs);

}
