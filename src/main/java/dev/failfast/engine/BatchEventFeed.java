package dev.failfast.engine;

import dev.failfast.batch.Batch;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The changes of the batches that event streams follow, each with its
 * {@link EventPosition}, delivered to the {@link FeedListener}s; and what a stream that
 * reconnects needs to miss nothing. On a single instance every change is published as it
 * is made, and the feed keeps the last events of followed batches for a while, so that a
 * stream that reconnects is sent those it missed. In cluster mode a batch's changes are
 * made by every replica, and {@link ClusterEventRelay} reads those of followed batches
 * back from the database, which can also tell what changed since any position.
 */
public interface BatchEventFeed {

    /**
     * Starts following a batch: every change made after this call reaches the listeners.
     * Call it before {@link #current} and {@link #since}, so no change falls between them
     * and the events that follow.
     */
    void follow(UUID batchId);

    /** Stops following a batch; called once for each {@link #follow}. */
    void unfollow(UUID batchId);

    /**
     * The batch as it stands, with the position of the last event it shows (it may show
     * later ones too); empty if there is no such batch.
     */
    Optional<Snapshot> current(UUID batchId);

    /**
     * The batch's events after {@code after}, in order, as far as they can still be told:
     * empty when they cannot (the position is another process's, or older than the events
     * kept, or not one of this batch). In cluster mode a job changed several times since
     * is told once, in its state now, and the list ends with the batch's status when
     * anything changed.
     */
    Optional<List<FeedEvent>> since(UUID batchId, EventPosition after);

    /** A batch as it stands, and the position of the last event it shows. */
    record Snapshot(Batch batch, EventPosition position) {
    }

}
