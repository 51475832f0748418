package dev.failfast.engine.cluster;

import dev.failfast.batch.Job;
import dev.failfast.store.ClusterStore.JobKey;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The batches this replica holds jobs of, from the claim until each job's outcome is
 * written, and the causes announced recently (for claims committed just before their
 * notice arrived).
 */
final class HeldBatches {

    private static final int RECENT_CAUSES = 4096;

    /**
     * A cause of the batch's current run, whichever it is: what a replica found in the
     * database, not heard in a notice.
     */
    static final int ANY_RUN = 0;

    private final Map<UUID, HeldBatch> batches = new ConcurrentHashMap<>();

    private final Set<RunKey> recentCauses = Collections
        .synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<RunKey, Boolean> eldest) {
                return size() > RECENT_CAUSES;
            }
        }));

    private final Object idle = new Object();

    /**
     * Holds the claimed jobs of the batch's run {@code run}; returns their batch. One
     * held for an earlier run (its last outcomes written, not yet let go of: the batch
     * ended and was redriven meanwhile) is replaced, with its token, which that run's
     * cause may have cancelled.
     */
    HeldBatch hold(UUID batchId, int run, String tenant, Collection<Job> jobs) {
        return batches.compute(batchId, (id, existing) -> {
            HeldBatch batch = existing != null && existing.run == run ? existing : new HeldBatch(id, run, tenant);
            jobs.forEach(job -> batch.jobIds.add(job.id()));
            return batch;
        });
    }

    /** Lets go of jobs whose outcome is written (or that another replica settled). */
    void release(HeldBatch batch, List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return;
        }
        batches.computeIfPresent(batch.id, (id, held) -> {
            if (held != batch) {
                return held; // the batch's next run, held since
            }
            held.jobIds.removeAll(jobIds);
            return held.jobIds.isEmpty() ? null : held;
        });
        if (batches.isEmpty()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /**
     * Remembers that run {@code run} of the batch has a cause; returns the batch if jobs
     * of that run are held here. {@link #ANY_RUN}: the batch's current run, whichever it
     * is.
     */
    @Nullable HeldBatch causeRecorded(UUID batchId, int run) {
        HeldBatch batch = batches.get(batchId);
        if (run == ANY_RUN) {
            if (batch != null) {
                recentCauses.add(new RunKey(batchId, batch.run));
            }
            return batch;
        }
        recentCauses.add(new RunKey(batchId, run));
        // A late notice of a run before a redrive does not stop the run held now.
        return batch != null && batch.run == run ? batch : null;
    }

    boolean hadCauseRecently(UUID batchId, int run) {
        return recentCauses.contains(new RunKey(batchId, run));
    }

    /** One run of a batch. */
    private record RunKey(UUID batchId, int run) {
    }

    /** Waits until no job is held, or the timeout passed; true if none is left. */
    boolean awaitNone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (!batches.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** The batches held now. */
    Collection<HeldBatch> all() {
        return List.copyOf(batches.values());
    }

    Set<UUID> ids() {
        return Set.copyOf(batches.keySet());
    }

    /**
     * Jobs held: running, waiting to retry, or waiting for their outcome to be written.
     */
    int jobs() {
        return batches.values().stream().mapToInt(batch -> batch.jobIds.size()).sum();
    }

    Set<JobKey> jobKeys() {
        Set<JobKey> keys = new HashSet<>();
        batches.forEach((id, batch) -> batch.jobIds.forEach(jobId -> keys.add(new JobKey(id, jobId))));
        return keys;
    }

}
