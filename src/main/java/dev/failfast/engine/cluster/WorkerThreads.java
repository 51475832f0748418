package dev.failfast.engine.cluster;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The executor threads this replica's claims may fill. A claimed job takes a {@link Slot}
 * at once, before it is on a thread, so a claim never takes more jobs than there are
 * threads to start them; the slot is given back when the attempt's thread returns, or as
 * soon as the attempt is abandoned (the executor has {@code maxAbandoned} spare threads
 * for threads stuck in abandoned attempts). Giving a slot back wakes the claimer.
 */
final class WorkerThreads {

    /** One claimed job's use of a thread. */
    final class Slot {

        private final AtomicBoolean given = new AtomicBoolean();

        /**
         * The attempt was abandoned: its thread, still running, no longer counts as this
         * replica's work.
         */
        void abandoned() {
            synchronized (WorkerThreads.this) {
                if (!given.compareAndSet(false, true)) {
                    return;
                }
                busy--;
                abandoned++;
            }
            wake();
        }

        /** The attempt's thread returned (or the job never got one). */
        void returned() {
            synchronized (WorkerThreads.this) {
                if (given.compareAndSet(false, true)) {
                    busy--;
                }
                else {
                    abandoned--;
                }
            }
            wake();
        }

    }

    private final int capacity;

    private final int maxAbandoned;

    private final Semaphore wake = new Semaphore(0);

    // Guarded by this.
    private int busy;

    private int abandoned;

    WorkerThreads(int capacity, int maxAbandoned) {
        this.capacity = capacity;
        this.maxAbandoned = maxAbandoned;
    }

    /**
     * Threads free for new jobs; past {@code maxAbandoned} stuck threads, each takes one
     * place more.
     */
    synchronized int free() {
        return capacity - busy - Math.max(0, abandoned - maxAbandoned);
    }

    synchronized Slot take() {
        busy++;
        return new Slot();
    }

    synchronized int abandonedThreads() {
        return abandoned;
    }

    /** Asks the claimer to look for jobs now. */
    void wake() {
        wake.release();
    }

    /** Waits until woken or {@code timeout} passed. */
    void awaitWake(Duration timeout) throws InterruptedException {
        wake.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        wake.drainPermits();
    }

}
