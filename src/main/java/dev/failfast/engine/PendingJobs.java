package dev.failfast.engine;

import org.jspecify.annotations.Nullable;

/** Jobs waiting to start, as admission control counts them: in all and by tenant. */
public interface PendingJobs {

    /** Jobs of active batches that have not started. */
    long count();

    /**
     * Counts {@code jobs} more of {@code tenant} if that keeps the tenant's count within
     * {@code tenantMax} and the count of all within {@code max}; if it would not, counts
     * nothing and returns the limit it would exceed (the tenant's first).
     */
    @Nullable Excess tryAdd(String tenant, int jobs, long max, long tenantMax);

    /** Takes back jobs added by {@link #tryAdd} whose batch was not stored after all. */
    void remove(String tenant, int jobs);

    /**
     * A limit that admitting more jobs would exceed.
     *
     * @param limit {@link AdmissionLimit#TENANT_PENDING_JOBS} or
     * {@link AdmissionLimit#PENDING_JOBS}
     * @param pending the jobs that count against it now
     * @param max the limit
     */
    record Excess(AdmissionLimit limit, long pending, long max) {
    }

}
