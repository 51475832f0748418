package dev.failfast.engine;

import java.util.UUID;

/**
 * Tells the engine which batches event streams follow. On a single instance every change
 * already reaches every listener, and following is free. In cluster mode a batch's
 * changes are made by every replica, and {@link ClusterEventRelay} reads those of
 * followed batches back from the database for the listeners that
 * {@linkplain BatchEventListener#followsWholeCluster() follow the whole cluster}.
 */
public interface BatchEventFeed {

    /**
     * Starts following a batch: every change made after this call reaches the listeners.
     * Call it before reading the status a stream starts with, so no change falls between
     * the two.
     */
    void follow(UUID batchId);

    /** Stops following a batch; called once for each {@link #follow}. */
    void unfollow(UUID batchId);

}
