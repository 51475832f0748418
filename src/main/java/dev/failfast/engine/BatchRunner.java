package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.Job;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What differs between the two engines: how a batch runs once it is stored, how a cause
 * is recorded, and how the engine joins and leaves the database. {@link EngineFrontDoor}
 * does the rest for both. {@code engine.local.LocalRunner} runs each batch in the process
 * that accepted it; {@code engine.cluster.ClusterRunner} runs every batch on all replicas
 * of one PostgreSQL database.
 */
public interface BatchRunner {

    /**
     * Takes what the runner needs before batches are accepted (its lease on the database)
     * and settles or resumes what a previous process left. Called again after
     * {@link #stop} when a stopped service starts again.
     */
    void start();

    /**
     * Takes a batch, every job PENDING, that the front door is about to store; none of
     * its jobs starts before {@link #run}. From here on a cause recorded on it (a cancel
     * that found it in the store already, through an idempotent retry of its submission)
     * is not lost.
     * @param parsedParams each job's params as its handler parsed them, in job order
     */
    void register(Batch batch, List<Job> jobs, List<Object> parsedParams);

    /** Runs a registered batch, now stored. */
    void run(UUID batchId);

    /** Forgets a registered batch that could not be stored. */
    void discard(UUID batchId);

    /**
     * Records a cause on a batch unless it has one or ended (the first cause wins): its
     * pending jobs are skipped and its running ones stopped. Empty if there is no such
     * batch.
     */
    Optional<CauseRecorded> recordCause(UUID batchId, CancellationCause cause);

    /**
     * What {@link #recordCause} did: the batch as it stands after, and whether this cause
     * was recorded.
     */
    record CauseRecorded(Batch batch, boolean recorded) {
    }

    /**
     * Stores and runs the next run of a terminal batch: {@code next} and its
     * {@code jobs}, of which {@code redriven} are PENDING again. Nothing is stored if the
     * batch changed since {@code from} was read (another redrive came first).
     * @throws BatchStateConflictException when the batch is no longer {@code from}'s run,
     * or is active; nothing was stored or started
     * @throws org.springframework.dao.DataAccessException when the database could not
     * store it: in cluster mode nothing was stored; on a single instance the run goes on
     * and a later flush writes it
     */
    void redrive(Batch from, Batch next, List<Job> jobs, List<Job> redriven);

    /**
     * Whether this process still runs some of the batch (it must not be deleted
     * meanwhile).
     */
    boolean isRunning(UUID batchId);

    /**
     * Leaves the database, no batch being accepted any more: lets running jobs finish for
     * at most {@code drainTimeout} (starting no new ones), then stops what still runs
     * with cause SHUTDOWN, writes everything, and gives its lease back.
     */
    void stop(Duration drainTimeout);

    /**
     * Jobs of active batches that have not started, and the reservations admission makes
     * on them.
     */
    PendingJobs pendingJobs();

    /** Batches not yet terminal (over the whole cluster in cluster mode). */
    int activeBatches();

    /**
     * Attempts this process runs (or has handed to its executor, or holds) that have not
     * finished.
     */
    int attemptsInFlight();

    /**
     * Executor threads still running an attempt that was abandoned (it ignored its
     * cancellation).
     */
    int abandonedThreads();

    /**
     * Times the cluster's notice listener found its connection dead and opened a new one;
     * 0 on a single instance.
     */
    default long listenerReconnects() {
        return 0;
    }

}
