package dev.failfast.engine;

import dev.failfast.job.CancellationToken.Registration;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of one job, from the moment a worker thread starts it. Owns the attempt's
 * token, which the batch token cancels and the job's timeout cancels, and which
 * interrupts the worker.
 *
 * <p>
 * An attempt is live until it ends: its handler returned, or it was abandoned (it ignored
 * its token for the cancel grace period and was reported ended while its thread went on).
 * What an abandoned attempt returns later does not count.
 */
public final class Attempt {

    private final JobRun job;

    private final int number;

    private final CancellationSource token = new CancellationSource();

    private final Registration batchLink;

    private @Nullable Thread worker;

    // Guarded by the lock of the job's batch.
    private boolean ended;

    private @Nullable ScheduledFuture<?> timeoutTimer;

    private @Nullable ScheduledFuture<?> abandonTimer;

    public Attempt(JobRun job, int number, Thread worker, CancellationSource batchToken) {
        this.job = job;
        this.number = number;
        this.worker = worker;
        token.onCancel(this::interruptWorker);
        this.batchLink = batchToken.onCancel(() -> token.cancel(StopReason.BATCH_CANCELLED));
    }

    public JobRun job() {
        return job;
    }

    /** 1 for the first attempt. */
    public int number() {
        return number;
    }

    public CancellationSource token() {
        return token;
    }

    /** Neither returned nor abandoned. */
    public boolean isLive() {
        return !ended;
    }

    /**
     * Ends the attempt, its handler having returned, and cancels its timers. Returns
     * false if it had ended already (it was abandoned, and what it did afterwards does
     * not count).
     */
    public boolean end() {
        cancelTimers();
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }

    /**
     * Ends the attempt although its handler still runs. Returns false if it had ended
     * already.
     */
    public boolean abandon() {
        return end();
    }

    void timeoutTimer(ScheduledFuture<?> timer) {
        this.timeoutTimer = timer;
    }

    void abandonTimer(ScheduledFuture<?> timer) {
        this.abandonTimer = timer;
    }

    private void cancelTimers() {
        if (timeoutTimer != null) {
            timeoutTimer.cancel(false);
        }
        if (abandonTimer != null) {
            abandonTimer.cancel(false);
        }
    }

    private synchronized void interruptWorker() {
        if (worker != null) {
            worker.interrupt();
        }
    }

    /**
     * Called by the worker when the handler returned or threw (or will not run). After
     * this no interrupt of ours can reach the thread, so clearing its interrupt status
     * keeps a cancellation from leaking into the next task the pooled thread runs.
     */
    public void detachWorker() {
        synchronized (this) {
            worker = null;
        }
        batchLink.close();
        Thread.interrupted();
    }

}
