package dev.failfast.engine.cluster;

import dev.failfast.store.ClusterStore;
import java.time.Instant;

/**
 * Reads the cluster-wide gauges (active batches, pending jobs), then has the claimer look
 * for jobs.
 */
final class RefreshTotals implements PollTask {

    private final ClusterStore cluster;

    private final WorkerThreads threads;

    private volatile ClusterStore.Totals totals = new ClusterStore.Totals(0, 0);

    RefreshTotals(ClusterStore cluster, WorkerThreads threads) {
        this.cluster = cluster;
        this.threads = threads;
    }

    /** As of the last poll. */
    ClusterStore.Totals totals() {
        return totals;
    }

    @Override
    public void run(Instant now) {
        totals = cluster.totals();
        threads.wake();
    }

}
