package dev.failfast.engine.local;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import dev.failfast.engine.BatchEvents;
import dev.failfast.store.BatchStore;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch's changes to the store, then tells every listener; and makes its cause
 * durable.
 */
final class BatchPublisher {

    private static final Logger log = LoggerFactory.getLogger(BatchPublisher.class);

    private final BatchStore store;

    private final BatchEvents events;

    BatchPublisher(BatchStore store, BatchEvents events) {
        this.store = store;
        this.events = events;
    }

    /**
     * Writes a batch that ended by its cause (its cause, the jobs it skipped, its end) at
     * once ({@link BatchStore#flush(UUID)}), on a thread of its own: the thread that
     * ended it may be a timer (a deadline, a grace period) or hold the dispatcher's lock,
     * and must not wait for the database. A failure leaves the changes buffered for the
     * next flush.
     */
    void writeCause(UUID batchId) {
        Thread.ofVirtual().name("failfast-cause-writer").start(() -> {
            try {
                store.flush(batchId);
            }
            catch (RuntimeException e) {
                log.warn("Writing the cancellation cause of batch {} failed; it stays buffered for the next flush",
                        batchId, e);
            }
        });
    }

    /** Called under the batch lock, so that a batch's events reach listeners in order. */
    void changed(Batch batch, List<Job> jobs, @Nullable BatchState previousState) {
        store.update(batch, jobs);
        events.changed(batch, jobs, previousState);
    }

}
