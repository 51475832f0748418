package dev.failfast.engine.local;

import dev.failfast.batch.JobState;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Which of a batch's jobs starts next, within its maxParallelism: a job whose retry came
 * due first, then PENDING jobs in order. Guarded by the batch's lock.
 */
final class DispatchQueue {

    private final LocalJob[] jobs;

    private final int maxParallelism;

    private final ArrayDeque<LocalJob> retriesDue = new ArrayDeque<>();

    private int nextPending;

    private int slotsInUse;

    DispatchQueue(LocalJob[] jobs, int maxParallelism) {
        this.jobs = jobs;
        this.maxParallelism = maxParallelism;
        skipStarted();
    }

    /** Takes a slot for the next job to start, or returns null if none may start now. */
    @Nullable LocalJob reserveNext() {
        if (slotsInUse >= maxParallelism) {
            return null;
        }
        LocalJob next = retriesDue.poll();
        if (next == null) {
            skipStarted();
            if (nextPending >= jobs.length) {
                return null;
            }
            next = jobs[nextPending++];
        }
        slotsInUse++;
        next.holdsSlot = true;
        return next;
    }

    boolean hasReady() {
        skipStarted();
        return slotsInUse < maxParallelism && (!retriesDue.isEmpty() || nextPending < jobs.length);
    }

    /**
     * The job's retry is due: it gives its slot back and is first in line to take one
     * again.
     */
    void retryDue(LocalJob job) {
        release(job);
        retriesDue.add(job);
    }

    void release(LocalJob job) {
        if (job.holdsSlot) {
            job.holdsSlot = false;
            slotsInUse--;
        }
    }

    /** Nothing starts any more (the batch has a cause). */
    void close() {
        nextPending = jobs.length;
        retriesDue.clear();
    }

    /**
     * Moves past jobs that are no longer PENDING. Jobs are handed out in order but may
     * start out of order, so a batch resumed after a restart can have started jobs
     * between pending ones.
     */
    private void skipStarted() {
        while (nextPending < jobs.length && jobs[nextPending].job().state() != JobState.PENDING) {
            nextPending++;
        }
    }

}
