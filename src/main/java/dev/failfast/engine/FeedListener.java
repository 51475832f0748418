package dev.failfast.engine;

/**
 * Receives the events of the batches followed through the {@link BatchEventFeed}, with
 * their positions: the event streams. Any Spring bean implementing it is registered.
 *
 * <p>
 * Called on the engine's threads (on a single instance while the batch's lock is held) or
 * on a cluster replica's relay thread, one event at a time, a batch's events in order.
 * Implementations must return at once (hand the event to a queue) and never call back
 * into the engine.
 */
@FunctionalInterface
public interface FeedListener {

    void onFeedEvent(FeedEvent event);

}
