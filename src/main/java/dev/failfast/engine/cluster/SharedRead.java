package dev.failfast.engine.cluster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A database read that threads asking at the same time share, each answered by a read
 * that began after it asked: as fresh as a read of its own, but a burst of 16 job starts
 * costs two round trips, not 16. Reads run one at a time; a thread that waited for the
 * one in flight takes the answer of a read begun after it arrived, or runs the next.
 */
final class SharedRead {

    private final ReentrantLock lock = new ReentrantLock();

    /** Reads begun so far, numbered from 1. */
    private final AtomicLong begun = new AtomicLong();

    // Guarded by lock: the number of the last read that completed, and its answer.
    private long done;

    private boolean answer;

    /**
     * The answer of a run of {@code query} begun after this call; the query's exception
     * if this thread's run failed.
     */
    boolean read(BooleanSupplier query) {
        long arrived = begun.get();
        lock.lock();
        try {
            if (done > arrived) {
                return answer;
            }
            long mine = begun.incrementAndGet();
            answer = query.getAsBoolean();
            done = mine;
            return answer;
        }
        finally {
            lock.unlock();
        }
    }

}
