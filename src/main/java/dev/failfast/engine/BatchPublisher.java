package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** Writes a batch's changes to the store, then tells every {@link BatchEventListener}. */
@Component
class BatchPublisher {

    private final BatchStore store;
    private final BatchEvents events;

    BatchPublisher(BatchStore store, List<BatchEventListener> listeners) {
        this.store = store;
        this.events = new BatchEvents(listeners);
    }

    void created(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
        store.create(batch, jobs, key);
        events.submitted(batch);
    }

    /** Called under the batch lock, so that a batch's events reach listeners in order. */
    void changed(Batch batch, List<Job> jobs, @Nullable BatchState previousState) {
        store.update(batch, jobs);
        events.changed(batch, jobs, previousState);
    }
}
