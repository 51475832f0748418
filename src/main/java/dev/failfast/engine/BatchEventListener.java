package dev.failfast.engine;

import dev.failfast.batch.BatchEvent;

/**
 * Receives every {@link BatchEvent}. Any Spring bean implementing it is registered.
 *
 * <p>
 * Called on the engine's threads, one event at a time: on a single instance while the
 * batch's lock is held, so that one batch's events arrive in order; in cluster mode after
 * each change is committed, one change after another (changes committed at the same
 * moment by different threads may arrive in either order). Implementations must return at
 * once (hand the event to a queue, bump a meter) and never call back into the engine.
 */
@FunctionalInterface
public interface BatchEventListener {

    void onEvent(BatchEvent event);

    /**
     * Whether this listener shows whole batches to clients (event streams) rather than
     * counting this process's work (metrics, logs). On a single instance both get every
     * event. In cluster mode a listener that follows the whole cluster gets every
     * replica's changes, read back from the database ({@link ClusterEventRelay}); the
     * others get only the changes this replica made, so that summing a meter over the
     * replicas counts each change once.
     */
    default boolean followsWholeCluster() {
        return false;
    }

}
