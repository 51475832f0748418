package dev.failfast.engine.cluster;

import dev.failfast.batch.Job;
import dev.failfast.engine.JobRun;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.RunningCaps;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims jobs from the database as this replica's worker threads come free, on a thread
 * of its own ({@link ClusterStore#claim}: the tenant whose turn it is, within its
 * max-running-jobs over the cluster, then the batch whose turn it is, within its
 * maxParallelism over the cluster), holds them, and starts their attempts.
 */
final class ClaimLoop {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

    private final String node;

    private final ClusterStore cluster;

    private final Clock clock;

    private final int claimSize;

    private final RunningCaps caps;

    private final Duration pollInterval;

    private final WorkerThreads threads;

    private final HeldBatches held;

    private final HeldAttempts attempts;

    private final Consumer<BatchTransaction.Result> committed;

    /** Held by a claim from its start until its jobs are held and started. */
    private final ReentrantLock claimLock = new ReentrantLock();

    private volatile boolean claiming;

    private volatile boolean stopped;

    ClaimLoop(String node, ClusterStore cluster, Clock clock, int claimSize, RunningCaps caps, Duration pollInterval,
            WorkerThreads threads, HeldBatches held, HeldAttempts attempts,
            Consumer<BatchTransaction.Result> committed) {
        this.node = node;
        this.cluster = cluster;
        this.clock = clock;
        this.claimSize = claimSize;
        this.caps = caps;
        this.pollInterval = pollInterval;
        this.threads = threads;
        this.held = held;
        this.attempts = attempts;
        this.committed = committed;
    }

    /** Claims from now on (the thread calls {@link #run}). */
    void startClaiming() {
        stopped = false;
        claiming = true;
    }

    /**
     * Claims no more jobs; those claimed go on. Returns once a claim in progress is over
     * and its jobs are held, so that waiting for the held jobs to end waits for them too.
     */
    void stopClaiming() {
        claiming = false;
        claimLock.lock();
        try {
            log.debug("Claiming stopped; no claim is in flight");
        }
        finally {
            claimLock.unlock();
        }
    }

    /** Makes {@link #run} return. */
    void stop() {
        claiming = false;
        stopped = true;
        threads.wake();
    }

    /**
     * The claimer thread's loop: claims whenever woken, and every poll interval; never
     * ends on a failure.
     */
    void run() {
        while (!stopped) {
            try {
                threads.awaitWake(pollInterval);
            }
            catch (InterruptedException e) {
                return;
            }
            try {
                claimWhileFree();
            }
            catch (RuntimeException e) {
                // A database that went away fails in many ways (not only
                // DataAccessException): never end the loop.
                log.warn("Claiming jobs failed; trying again in {}", pollInterval, e);
                pause();
            }
        }
    }

    private void claimWhileFree() {
        while (claimOnce()) {
            // claims while threads are free and a batch has jobs
        }
    }

    /** Claims one group of jobs and starts them; false when nothing was claimed. */
    private boolean claimOnce() {
        claimLock.lock();
        try {
            if (!claiming) {
                return false;
            }
            int free = threads.free();
            if (free <= 0) {
                return false;
            }
            // A burst of short jobs frees threads one by one, and a claim started on the
            // first may wait for the batch row while outcomes are written: sizing it once
            // the row is locked claims them all in one transaction, not one each.
            var claim = cluster
                .claim(node, () -> Math.min(Math.max(free, threads.free()), claimSize), caps, clock.instant())
                .orElse(null);
            if (claim == null) {
                return false;
            }
            var slots = claim.jobs().stream().map(job -> threads.take()).toList();
            HeldBatch batch = held.hold(claim.batch().id(), claim.batch().run(), claim.batch().owner().tenant(),
                    claim.jobs());
            committed.accept(new BatchTransaction.Result(claim.batch(), claim.jobs(), claim.previousState(), false));
            if (held.hadCauseRecently(batch.id, batch.run)) {
                attempts.cancel(batch); // its notice arrived between the claim's commit
                                        // and now
            }
            for (int i = 0; i < claim.jobs().size(); i++) {
                Job job = claim.jobs().get(i);
                attempts.start(batch, new JobRun(job, null), job.attempts(), slots.get(i));
            }
            return true;
        }
        finally {
            claimLock.unlock();
        }
    }

    private void pause() {
        try {
            Thread.sleep(pollInterval);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
