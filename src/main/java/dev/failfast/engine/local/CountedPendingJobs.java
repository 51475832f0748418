package dev.failfast.engine.local;

import dev.failfast.engine.PendingJobs;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's pending jobs, counted as they are admitted, started and skipped.
 * Admission reserves its jobs atomically, so concurrent submissions cannot both pass the
 * limit.
 */
final class CountedPendingJobs implements PendingJobs {

    private final AtomicLong count;

    CountedPendingJobs(AtomicLong count) {
        this.count = count;
    }

    @Override
    public long count() {
        return count.get();
    }

    @Override
    public boolean tryAdd(int jobs, long max) {
        long current;
        do {
            current = count.get();
            if (current + jobs > max) {
                return false;
            }
        }
        while (!count.compareAndSet(current, current + jobs));
        return true;
    }

    @Override
    public void remove(int jobs) {
        count.addAndGet(-jobs);
    }

}
