package dev.failfast.engine.cluster;

import dev.failfast.engine.PendingJobs;
import dev.failfast.store.ClusterStore;

/**
 * Pending jobs over the whole cluster, read from the database at each submission. Nothing
 * is reserved: the jobs of a batch count once it is stored, so two submissions at once
 * may both pass.
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
    public boolean tryAdd(int jobs, long max) {
        return cluster.totals().pendingJobs() + jobs <= max;
    }

    @Override
    public void remove(int jobs) {
    }

}
