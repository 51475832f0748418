package dev.failfast.engine;

/**
 * The limit a refused submission would have exceeded, as the API names it in the 429
 * problem's {@code limit} member and metrics in their {@code limit} tag.
 */
public enum AdmissionLimit {

    /** {@code failfast.limits.max-pending-jobs}, over all tenants. */
    PENDING_JOBS("pending-jobs"),
    /** The tenant's {@code max-pending-jobs} ({@code failfast.tenants.*}). */
    TENANT_PENDING_JOBS("tenant-pending-jobs"),
    /** The tenant's {@code batches-per-minute} ({@code failfast.tenants.*}). */
    TENANT_BATCHES_PER_MINUTE("tenant-batches-per-minute"),
    /**
     * As many executor threads stuck in abandoned attempts as
     * {@code failfast.executor.max-abandoned}.
     */
    ABANDONED_THREADS("abandoned-threads"),
    /**
     * {@code failfast.limits.max-active-batches} batches queued, running or cancelling.
     */
    ACTIVE_BATCHES("active-batches");

    private final String wireName;

    AdmissionLimit(String wireName) {
        this.wireName = wireName;
    }

    /** How the API and the metrics name it. */
    public String wireName() {
        return wireName;
    }

}
