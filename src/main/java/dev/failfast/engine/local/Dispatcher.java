package dev.failfast.engine.local;

import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.engine.Attempt;
import dev.failfast.engine.AttemptRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.MDC;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.TaskRejectedException;

/**
 * Hands jobs to the executor, one at a time per batch in round-robin order, and never
 * more at once than the executor has room for. Every job that is not yet handed over
 * stays with its batch, where cancellation skips it; a large batch therefore cannot fill
 * the executor's queue ahead of a small one submitted after it.
 *
 * <p>
 * An attempt that is abandoned (it ignored its cancellation) keeps its thread but stops
 * counting as work in flight: the executor has {@code maxAbandoned} threads beyond the
 * pool for such threads, so stuck jobs do not stop the other batches. Past that bound,
 * each further stuck thread takes one place from the work in flight, so the executor's
 * queue never overflows.
 *
 * <p>
 * Lock order: the dispatcher's lock may be held while a batch's lock is taken, never the
 * reverse.
 */
final class Dispatcher {

    /** One attempt handed to the executor, until its thread returns. */
    static final class Handover {

        // Guarded by the dispatcher's lock.
        private boolean abandoned;

        private boolean returned;

    }

    private final TaskExecutor executor;

    private final int capacity;

    private final int maxAbandoned;

    private final AttemptRunner runner;

    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition idle = lock.newCondition();

    // Guarded by lock.
    private final LinkedHashSet<BatchRun> ready = new LinkedHashSet<>();

    private int inFlight;

    private int abandonedThreads;

    private boolean paused;

    /**
     * @param capacity attempts the executor takes at once (its threads for live work and
     * its queue)
     * @param maxAbandoned threads the executor has beyond {@code capacity} for abandoned
     * attempts
     */
    Dispatcher(TaskExecutor executor, int capacity, int maxAbandoned, AttemptRunner runner, Clock clock) {
        this.executor = executor;
        this.capacity = capacity;
        this.maxAbandoned = maxAbandoned;
        this.runner = runner;
        this.clock = clock;
    }

    /** The batch may have a job to start. */
    void offer(BatchRun run) {
        lock.lock();
        try {
            ready.add(run);
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    /** Attempts handed to the executor and not yet ended (abandoned ones not counted). */
    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        }
        finally {
            lock.unlock();
        }
    }

    /** Threads still running an abandoned attempt. */
    int abandonedThreads() {
        lock.lock();
        try {
            return abandonedThreads;
        }
        finally {
            lock.unlock();
        }
    }

    /** An attempt was abandoned: its thread no longer counts as work in flight. */
    void abandoned(Handover handover) {
        lock.lock();
        try {
            if (handover.abandoned || handover.returned) {
                return; // its thread returned while the batch told of the abandonment:
                        // nothing is stuck
            }
            handover.abandoned = true;
            inFlight--;
            abandonedThreads++;
            signalIfIdle();
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Hands over no further attempts (for a shutdown drain) and waits until every attempt
     * handed over has ended or the timeout passed. Returns true if none is left in
     * flight.
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
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Hands over attempts again after {@link #pauseAndAwaitIdle}, when a stopped engine
     * starts again.
     */
    void resume() {
        lock.lock();
        try {
            paused = false;
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    private void pump() {
        int room = capacity - Math.max(0, abandonedThreads - maxAbandoned);
        while (!paused && inFlight < room && !ready.isEmpty()) {
            BatchRun run = ready.removeFirst();
            LocalJob job = run.reserveNext();
            if (job == null) {
                continue; // the batch is offered again when one of its jobs ends or a
                          // retry is due
            }
            inFlight++;
            if (run.hasDispatchable()) {
                ready.addLast(run);
            }
            hand(run, job);
        }
    }

    private void hand(BatchRun run, LocalJob job) {
        String batchId = run.id().toString();
        Handover handover = new Handover();
        job.handover = handover;
        try {
            executor.execute(() -> {
                try (var _ = MDC.putCloseable("batchId", batchId); var _ = MDC.putCloseable("jobId", job.id())) {
                    Attempt attempt = run.startAttempt(job, Thread.currentThread());
                    if (attempt != null) {
                        runner.run(run.id(), attempt, outcome -> run.finishAttempt(job, attempt, outcome));
                    }
                }
                finally {
                    threadReturned(run, handover);
                }
            });
        }
        catch (TaskRejectedException e) {
            // Only a shut-down executor rejects: the queue is sized to hold every attempt
            // in flight.
            inFlight--;
            signalIfIdle();
            run.recordCause(
                    CancellationCause.of(CauseType.SHUTDOWN, "Job executor is shut down", null, clock.instant()));
        }
    }

    private void threadReturned(BatchRun run, Handover handover) {
        lock.lock();
        try {
            handover.returned = true;
            if (handover.abandoned) {
                abandonedThreads--;
            }
            else {
                inFlight--;
                signalIfIdle();
            }
            ready.add(run);
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    private void signalIfIdle() {
        if (inFlight == 0) {
            idle.signalAll();
        }
    }

}
