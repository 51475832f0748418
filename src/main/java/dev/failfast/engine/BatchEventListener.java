package dev.failfast.engine;

import dev.failfast.batch.BatchEvent;

/**
 * Receives every {@link BatchEvent} this process makes. Any Spring bean implementing it
 * is registered.
 *
 * <p>
 * Called on the engine's threads, one event at a time: on a single instance while the
 * batch's lock is held, so that one batch's events arrive in order; in cluster mode after
 * each change is committed, one change after another (changes committed at the same
 * moment by different threads may arrive in either order). In cluster mode a listener
 * gets only the changes this replica made, so that summing a meter over the replicas
 * counts each change once; event streams, which show whole batches, are
 * {@link FeedListener}s instead. Implementations must return at once (hand the event to a
 * queue, bump a meter) and never call back into the engine.
 */
@FunctionalInterface
public interface BatchEventListener {

    void onEvent(BatchEvent event);

}
