package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Writes a batch's changes to the store, then tells every {@link BatchEventListener}. */
@Component
class BatchPublisher {

    private static final Logger log = LoggerFactory.getLogger(BatchPublisher.class);

    private final BatchStore store;
    private final List<BatchEventListener> listeners;

    BatchPublisher(BatchStore store, List<BatchEventListener> listeners) {
        this.store = store;
        this.listeners = List.copyOf(listeners);
    }

    void created(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
        store.create(batch, jobs, key);
        emit(new BatchEvent.Submitted(batch));
    }

    /** Called under the batch lock, so that a batch's events reach listeners in order. */
    void changed(Batch batch, List<Job> jobs, @Nullable BatchState previousState) {
        store.update(batch, jobs);
        for (Job job : jobs) {
            emit(new BatchEvent.JobChanged(batch, job));
        }
        if (previousState != null) {
            emit(new BatchEvent.BatchChanged(batch, previousState));
        }
    }

    private void emit(BatchEvent event) {
        for (BatchEventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("Batch event listener {} failed on {}", listener, event.getClass().getSimpleName(), e);
            }
        }
    }
}
