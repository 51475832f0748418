package dev.failfast.engine;

import dev.failfast.job.CancellationToken.Registration;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of one job, from the moment a worker thread starts it. Owns the attempt's token,
 * which the batch token cancels and the job's timeout cancels, and which interrupts the worker.
 */
final class Attempt {

    final JobRun job;
    final int number;
    final CancellationSource token = new CancellationSource();

    private @Nullable Thread worker;
    private final Registration batchLink;

    // Guarded by the lock of the batch (BatchRun's, or on a cluster replica ClusterWorker.LocalBatch's).
    boolean abandoned;
    @Nullable ScheduledFuture<?> timeoutTimer;
    @Nullable ScheduledFuture<?> abandonTimer;

    Attempt(JobRun job, int number, Thread worker, CancellationSource batchToken) {
        this.job = job;
        this.number = number;
        this.worker = worker;
        token.onCancel(this::interruptWorker);
        this.batchLink = batchToken.onCancel(() -> token.cancel(StopReason.BATCH_CANCELLED));
    }

    private synchronized void interruptWorker() {
        if (worker != null) {
            worker.interrupt();
        }
    }

    /**
     * Called by the worker when the handler returned or threw. After this no interrupt of ours can
     * reach the thread, so clearing its interrupt status keeps a cancellation from leaking into the
     * next task the pooled thread runs.
     */
    void detachWorker() {
        synchronized (this) {
            worker = null;
        }
        batchLink.close();
        Thread.interrupted();
    }

    void cancelTimers() {
        if (timeoutTimer != null) {
            timeoutTimer.cancel(false);
        }
        if (abandonTimer != null) {
            abandonTimer.cancel(false);
        }
    }
}
