package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Batch and job changes not yet written to the database, coalesced: per batch its latest
 * version and the latest version of each job that changed. A job that goes PENDING →
 * RUNNING → SUCCEEDED within one flush interval is written once.
 *
 * <p>
 * Changes wait in {@code dirty}. A flush moves every entry, atomically per batch, to
 * {@code flushing}, writes them and forgets them only after the commit. Readers look in
 * {@code dirty}, then in {@code flushing}, then in the database; since an entry is put
 * into {@code flushing} before it leaves {@code dirty} and leaves {@code flushing} only
 * once committed, a reader always finds a version no older than the last completed
 * update. Only a thread holding the store's flush lock (the flusher, or one flushing a
 * single batch) moves entries or touches {@code flushing}.
 */
final class WriteBehindBuffer {

    /**
     * One batch's unwritten changes. Never changed again once it moved to
     * {@code flushing}.
     */
    static final class Pending {

        volatile Batch batch;

        final Map<String, Job> jobs = new ConcurrentHashMap<>();

        Pending(Batch batch) {
            this.batch = batch;
        }

    }

    private final Map<UUID, Pending> dirty = new ConcurrentHashMap<>();

    private final Map<UUID, Pending> flushing = new ConcurrentHashMap<>();

    private final AtomicInteger bufferedJobs = new AtomicInteger();

    /** Buffers a change; returns the number of job versions buffered now (roughly). */
    int add(Batch batch, List<Job> changedJobs) {
        int[] added = new int[1];
        dirty.compute(batch.id(), (id, pending) -> {
            Pending p = pending == null ? new Pending(batch) : pending;
            for (Job job : changedJobs) {
                if (p.jobs.put(job.id(), job) == null) {
                    added[0]++;
                }
            }
            p.batch = batch; // last: a reader that sees this batch finds its jobs too
            return p;
        });
        return bufferedJobs.addAndGet(added[0]);
    }

    boolean isEmpty() {
        return dirty.isEmpty();
    }

    /**
     * Whether a flush is writing changes now (they are then read from {@code flushing}).
     */
    boolean isFlushing() {
        return !flushing.isEmpty();
    }

    boolean holds(UUID batchId) {
        return dirty.containsKey(batchId) || flushing.containsKey(batchId);
    }

    @Nullable Batch batch(UUID batchId) {
        Pending p = dirty.get(batchId);
        if (p == null) {
            p = flushing.get(batchId);
        }
        return p == null ? null : p.batch;
    }

    @Nullable Job job(UUID batchId, String jobId) {
        Pending p = dirty.get(batchId);
        Job job = p == null ? null : p.jobs.get(jobId);
        if (job == null) {
            p = flushing.get(batchId);
            job = p == null ? null : p.jobs.get(jobId);
        }
        return job;
    }

    /**
     * Moves every dirty entry to {@code flushing} and returns them. Flushing thread only.
     */
    Collection<Pending> beginFlush() {
        for (UUID id : dirty.keySet()) {
            dirty.computeIfPresent(id, (key, pending) -> {
                flushing.put(key, pending);
                bufferedJobs.addAndGet(-pending.jobs.size());
                return null;
            });
        }
        return flushing.values();
    }

    /**
     * Moves one batch's dirty entry to {@code flushing} and returns it, or null if it has
     * none. Under the flush lock only (held by the flusher, and by a flush of one batch).
     */
    @Nullable Pending beginFlush(UUID batchId) {
        Pending[] taken = new Pending[1];
        dirty.computeIfPresent(batchId, (key, pending) -> {
            flushing.put(key, pending);
            bufferedJobs.addAndGet(-pending.jobs.size());
            taken[0] = pending;
            return null;
        });
        return taken[0];
    }

    /** One batch's flushed entry is in the database: forget it. Flushing thread only. */
    void flushCommitted(UUID batchId) {
        flushing.remove(batchId);
    }

    /**
     * Ends a flush: puts the entries not committed back under any newer changes, to be
     * written next time.
     */
    void flushEnded() {
        flushing.forEach((id, failed) -> dirty.merge(id, failed, (newer, older) -> {
            older.jobs.forEach(newer.jobs::putIfAbsent);
            return newer;
        }));
        flushing.values().forEach(p -> bufferedJobs.addAndGet(p.jobs.size()));
        flushing.clear();
    }

    /** Drops a batch's changes (the batch is being deleted). Flushing thread only. */
    void discard(UUID batchId) {
        Pending p = dirty.remove(batchId);
        if (p != null) {
            bufferedJobs.addAndGet(-p.jobs.size());
        }
    }

}
