package dev.failfast.job;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token as the engine gives one to an attempt: cancelling it runs the callbacks and
 * interrupts the worker thread ({@code engine.Attempt} does both).
 */
final class TestCancellationToken implements CancellationToken {

    private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

    private final Thread worker;

    private volatile boolean cancelled;

    TestCancellationToken(Thread worker) {
        this.worker = worker;
    }

    void cancel() {
        cancelled = true;
        callbacks.forEach(Runnable::run);
        worker.interrupt();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public Registration onCancel(Runnable callback) {
        callbacks.add(callback);
        if (cancelled) {
            callback.run();
        }
        return () -> callbacks.remove(callback);
    }

}
