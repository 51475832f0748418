package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands batch events to a set of listeners; a listener that throws does not stop the
 * others.
 */
public final class BatchEvents {

    private static final Logger log = LoggerFactory.getLogger(BatchEvents.class);

    private final List<BatchEventListener> listeners;

    public BatchEvents(List<BatchEventListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    public void submitted(Batch batch) {
        emit(new BatchEvent.Submitted(batch));
    }

    /**
     * A job event for each changed job, then a batch event if the batch changed state.
     */
    public void changed(Batch batch, List<Job> jobs, @Nullable BatchState previousState) {
        for (Job job : jobs) {
            emit(new BatchEvent.JobChanged(batch, job));
        }
        if (previousState != null) {
            emit(new BatchEvent.BatchChanged(batch, previousState));
        }
    }

    public void emit(BatchEvent event) {
        for (BatchEventListener listener : listeners) {
            try {
                listener.onEvent(event);
            }
            catch (RuntimeException e) {
                log.warn("Batch event listener {} failed on {}", listener, event.getClass().getSimpleName(), e);
            }
        }
    }

}
