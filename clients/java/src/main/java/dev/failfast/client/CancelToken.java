package dev.failfast.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The cancellation of one attempt. The worker sets it the moment the service pushes a
 * cancel (the batch's first failure, a user's cancel, a deadline, a timeout), interrupts the
 * handler's thread and runs the {@link #onCancel} callbacks. Thread-safe.
 */
public final class CancelToken {

    private static final System.Logger LOG = System.getLogger(CancelToken.class.getName());

    /** Counted down after the handler's thread is interrupted, so a woken waiter sees both. */
    private final CountDownLatch cancelled = new CountDownLatch(1);

    private volatile boolean set;

    private final List<Runnable> callbacks = new ArrayList<>();

    private volatile String reason;

    CancelToken() {
    }

    /** Whether the attempt is cancelled. */
    public boolean isCancelled() {
        return set;
    }

    /**
     * Why it was cancelled: {@code BATCH_CANCELLED} or {@code TIMEOUT} as the service says,
     * {@code WORKER_LOST} or {@code UNKNOWN} when the service no longer counts the attempt as
     * this worker's, {@code WORKER_STOPPING} when the worker stops; null while not cancelled.
     */
    public String reason() {
        return reason;
    }

    /** Throws a {@link JobCancelledException} once cancelled. */
    public void throwIfCancelled() {
        if (isCancelled()) {
            throw new JobCancelledException(reason);
        }
    }

    /**
     * Runs {@code callback} when the attempt is cancelled, on the thread that learns of it
     * (at once, on this thread, when it already is). Keep it short: close a connection, abort
     * a download. An exception it throws is logged.
     */
    public void onCancel(Runnable callback) {
        synchronized (callbacks) {
            if (!isCancelled()) {
                callbacks.add(callback);
                return;
            }
        }
        run(callback);
    }

    /**
     * Waits up to {@code timeout}, returning early when cancelled: true when the attempt is
     * cancelled, false after the whole wait. The sleep of a handler that should stop at once.
     */
    public boolean await(Duration timeout) {
        try {
            return cancelled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            // A cancel interrupts the handler's thread: keep the status for the handler to see.
            Thread.currentThread().interrupt();
            return isCancelled();
        }
    }

    /**
     * Cancels: sets the token, then runs {@code interrupt} (the handler's thread), then wakes
     * {@link #await} and runs the callbacks. False when it was cancelled already.
     */
    boolean cancel(String why, Runnable interrupt) {
        List<Runnable> toRun;
        synchronized (callbacks) {
            if (isCancelled()) {
                return false;
            }
            reason = why;
            set = true;
            toRun = List.copyOf(callbacks);
            callbacks.clear();
        }
        interrupt.run();
        cancelled.countDown();
        toRun.forEach(CancelToken::run);
        return true;
    }

    private static void run(Runnable callback) {
        try {
            callback.run();
        }
        catch (RuntimeException e) {
            LOG.log(Level.WARNING, "An onCancel callback failed", e);
        }
    }

}
