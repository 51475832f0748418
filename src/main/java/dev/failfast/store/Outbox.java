package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.NotificationEvent;

/**
 * Where a batch store records notifications: each time it writes a version of a batch, in
 * the same transaction, so that a state change and the notifications it causes are stored
 * together or not at all.
 */
@FunctionalInterface
public interface Outbox {

    /** Records nothing: for a service, or a test, without notifications. */
    Outbox NONE = batch -> {
    };

    /**
     * Records the notifications of the events this version of the batch reached
     * ({@link NotificationEvent#reachedBy}) that are not recorded yet, one per target
     * that wants each: the batch's own and its tenant's subscriptions. Runs in the
     * caller's transaction; records each event of a run once, however often the version
     * that reached it is written.
     */
    void record(Batch batch);

}
