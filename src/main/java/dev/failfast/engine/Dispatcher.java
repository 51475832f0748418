package dev.failfast.engine;

import dev.failfast.batch.CauseType;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.MDC;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.TaskRejectedException;

/**
 * Hands jobs to the executor, one at a time per batch in round-robin order, and never more at once
 * than the executor has room for. Every job that is not yet handed over stays with its batch,
 * where cancellation skips it; a large batch therefore cannot fill the executor's queue ahead of a
 * small one submitted after it.
 *
 * <p>Lock order: the dispatcher's lock may be held while a batch's lock is taken, never the reverse.
 */
final class Dispatcher {

    private final TaskExecutor executor;
    private final int capacity;
    private final AttemptRunner runner;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();

    // Guarded by lock.
    private final LinkedHashSet<BatchRun> ready = new LinkedHashSet<>();
    private int inFlight;
    private boolean paused;

    Dispatcher(TaskExecutor executor, int capacity, AttemptRunner runner) {
        this.executor = executor;
        this.capacity = capacity;
        this.runner = runner;
    }

    /** The batch may have a job to start. */
    void offer(BatchRun run) {
        lock.lock();
        try {
            ready.add(run);
            pump();
        } finally {
            lock.unlock();
        }
    }

    /** Attempts handed to the executor and not yet returned. */
    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands over no further attempts (for a shutdown drain) and waits until every attempt handed
     * over has ended or the timeout passed. Returns true if none is left in flight.
     */
    boolean pauseAndAwaitIdle(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            paused = true;
            long nanos = timeout.toNanos();
            while (inFlight > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Hands over attempts again after {@link #pauseAndAwaitIdle}, when a stopped engine starts again. */
    void resume() {
        lock.lock();
        try {
            paused = false;
            pump();
        } finally {
            lock.unlock();
        }
    }

    private void pump() {
        while (!paused && inFlight < capacity && !ready.isEmpty()) {
            BatchRun run = ready.removeFirst();
            JobRun job = run.reserveNext();
            if (job == null) {
                continue; // the batch is offered again when one of its jobs ends or a retry is due
            }
            inFlight++;
            if (run.hasDispatchable()) {
                ready.addLast(run);
            }
            hand(run, job);
        }
    }

    private void hand(BatchRun run, JobRun job) {
        String batchId = run.id().toString();
        try {
            executor.execute(() -> {
                try (var _ = MDC.putCloseable("batchId", batchId);
                        var _ = MDC.putCloseable("jobId", job.id())) {
                    runner.run(run, job);
                } finally {
                    attemptEnded(run);
                }
            });
        } catch (TaskRejectedException e) {
            // Only a shut-down executor rejects: the queue is sized to hold every attempt in flight.
            inFlight--;
            run.cancel(CauseType.SHUTDOWN, "Job executor is shut down", null);
        }
    }

    private void attemptEnded(BatchRun run) {
        lock.lock();
        try {
            inFlight--;
            if (inFlight == 0) {
                idle.signalAll();
            }
            ready.add(run);
            pump();
        } finally {
            lock.unlock();
        }
    }
}
