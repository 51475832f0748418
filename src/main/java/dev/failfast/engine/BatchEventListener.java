package dev.failfast.engine;

import dev.failfast.batch.BatchEvent;

/**
 * Receives every {@link BatchEvent}. Any Spring bean implementing it is registered.
 *
 * <p>Called on the engine's threads while the batch's lock is held, so that one batch's events
 * arrive in order: implementations must return at once (hand the event to a queue, bump a meter)
 * and never call back into the engine.
 */
@FunctionalInterface
public interface BatchEventListener {

    void onEvent(BatchEvent event);
}
