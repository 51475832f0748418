package dev.failfast.engine;

/**
 * The limit a refused submission would have exceeded, as the API names it in the 429
 * problem's {@code limit} member and metrics in their {@code limit} tag. Every one is a
 * problem of type {@code too-many-pending-jobs}, the refusal of a batch, titled after the
 * limit.
 */
public enum AdmissionLimit implements Limit {

    /** {@code failfast.limits.max-pending-jobs}, over all tenants. */
    PENDING_JOBS("pending-jobs", "Too many pending jobs"),
    /** The tenant's {@code max-pending-jobs} ({@code failfast.tenants.*}). */
    TENANT_PENDING_JOBS("tenant-pending-jobs", "Too many pending jobs for the tenant"),
    /** The tenant's {@code batches-per-minute} ({@code failfast.tenants.*}). */
    TENANT_BATCHES_PER_MINUTE("tenant-batches-per-minute", "Too many batches per minute for the tenant"),
    /**
     * As many executor threads stuck in abandoned attempts as
     * {@code failfast.executor.max-abandoned}.
     */
    ABANDONED_THREADS("abandoned-threads", "Too many job threads stuck in abandoned attempts"),
    /**
     * {@code failfast.limits.max-active-batches} batches queued, running or cancelling.
     */
    ACTIVE_BATCHES("active-batches", "Too many active batches");

    private final String wireName;

    private final String title;

    AdmissionLimit(String wireName, String title) {
        this.wireName = wireName;
        this.title = title;
    }

    /** How the API and the metrics name it. */
    @Override
    public String wireName() {
        return wireName;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public String problemKind() {
        return "too-many-pending-jobs";
    }

}
