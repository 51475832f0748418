package dev.failfast.engine.cluster;

import dev.failfast.engine.AdmissionLimit;
import dev.failfast.engine.PendingJobs;
import dev.failfast.store.ClusterStore;
import org.jspecify.annotations.Nullable;

/**
 * Pending jobs over the whole cluster, in all and of the submitting tenant, read from the
 * database at each submission. Nothing is reserved: the jobs of a batch count once it is
 * stored, so two submissions at once may both pass.
 */
final class ClusterPendingJobs implements PendingJobs {

    private final ClusterStore cluster;

    private final RefreshTotals lastPoll;

    ClusterPendingJobs(ClusterStore cluster, RefreshTotals lastPoll) {
        this.cluster = cluster;
        this.lastPoll = lastPoll;
    }

    /** As of the last poll. */
    @Override
    public long count() {
        return lastPoll.totals().pendingJobs();
    }

    @Override
    public @Nullable Excess tryAdd(String tenant, int jobs, long max, long tenantMax) {
        ClusterStore.PendingJobs pending = cluster.pendingJobs(tenant);
        if (pending.tenant() + jobs > tenantMax) {
            return new Excess(AdmissionLimit.TENANT_PENDING_JOBS, pending.tenant(), tenantMax);
        }
        if (pending.all() + jobs > max) {
            return new Excess(AdmissionLimit.PENDING_JOBS, pending.all(), max);
        }
        return null;
    }

    @Override
    public void remove(String tenant, int jobs) {
    }

}
