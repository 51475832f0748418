package dev.failfast.engine.local;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import dev.failfast.engine.BatchEvents;
import dev.failfast.store.BatchStore;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Writes a batch's changes to the store, then tells every listener. */
final class BatchPublisher {

    private final BatchStore store;
    private final BatchEvents events;

    BatchPublisher(BatchStore store, BatchEvents events) {
        this.store = store;
        this.events = events;
    }

    /** Writes what is buffered of the batch now, in one transaction: see {@link BatchStore#flush(UUID)}. */
    void writeNow(UUID batchId) {
        store.flush(batchId);
    }

    /** Called under the batch lock, so that a batch's events reach listeners in order. */
    void changed(Batch batch, List<Job> jobs, @Nullable BatchState previousState) {
        store.update(batch, jobs);
        events.changed(batch, jobs, previousState);
    }
}
