package dev.failfast.engine.local;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A batch as its changes leave it, and what they changed since they were last published:
 * the jobs, the state the batch left, and the hand-overs of attempts they abandoned
 * (which the dispatcher frees once the batch's lock is released). Guarded by the batch's
 * lock.
 */
final class BatchChanges {

    private Batch batch;

    private final List<Job> changedJobs = new ArrayList<>();

    private @Nullable BatchState stateBefore;

    private final List<Dispatcher.Handover> abandoned = new ArrayList<>();

    BatchChanges(Batch batch) {
        this.batch = batch;
    }

    Batch batch() {
        return batch;
    }

    /** The job moves on to {@code next}; the batch's counts follow. */
    void job(LocalJob job, Job next) {
        batch = batch.withJobMoved(job.job(), next);
        job.job(next);
        changedJobs.add(next);
    }

    void batch(Batch next) {
        if (stateBefore == null) {
            stateBefore = batch.state();
        }
        batch = next;
    }

    void abandoned(Dispatcher.Handover handover) {
        abandoned.add(handover);
    }

    /** The hand-overs abandoned since the last call. */
    List<Dispatcher.Handover> takeAbandoned() {
        if (abandoned.isEmpty()) {
            return List.of();
        }
        List<Dispatcher.Handover> taken = List.copyOf(abandoned);
        abandoned.clear();
        return taken;
    }

    /**
     * Publishes what changed since the last call: to the store, then to the listeners.
     */
    void publish(BatchPublisher publisher) {
        if (changedJobs.isEmpty() && stateBefore == null) {
            return;
        }
        publisher.changed(batch, List.copyOf(changedJobs), stateBefore != batch.state() ? stateBefore : null);
        changedJobs.clear();
        stateBefore = null;
    }

}
