package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.Caller;
import dev.failfast.store.IdempotencyKey;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Accepts batches, runs them and stops them: what the API and the operators' gauges see
 * of the engine, whichever mode it runs in: {@link EngineFrontDoor} implements it for
 * both, each mode's {@link BatchRunner} runs the batches (one instance per database, or
 * every replica of a PostgreSQL database with {@code failfast.cluster.enabled}).
 *
 * <p>
 * Every call names its {@link Caller}: a batch belongs to the tenant that submitted it,
 * and a batch the caller may not see is, to it, a batch that does not exist.
 */
public interface BatchEngine {

    /**
     * Validates and admits a batch for the caller's tenant, then starts running its jobs.
     * @throws InvalidBatchException when a job's type or params are invalid or job ids
     * repeat
     * @throws AdmissionRejectedException when the batch would exceed the pending-jobs
     * limit (the tenant's or the service's) or its tenant's batches per minute, or as
     * many executor threads are stuck in abandoned attempts as
     * {@code failfast.executor.max-abandoned}
     * @throws EngineUnavailableException while the service shuts down
     */
    Batch submit(Caller caller, BatchSpec spec);

    /**
     * Submits a batch unless this idempotency key created one already (in the caller's
     * tenant: keys are each tenant's own): then returns that batch's current status (if
     * the request is the same) instead of running it twice.
     * @throws IdempotencyKeyReusedException when the key belongs to a batch submitted
     * with a different request
     * @see #submit(Caller, BatchSpec)
     */
    Submission submit(Caller caller, BatchSpec spec, IdempotencyKey key);

    /**
     * Cancels an active batch on the caller's request, recording who asked. Cancelling a
     * batch that is already being cancelled changes nothing and returns its status.
     * @throws BatchNotFoundException when there is no such batch the caller sees
     * @throws BatchStateConflictException when the batch is already terminal
     * @throws EngineUnavailableException when the cancellation could not be stored (on a
     * single instance it is recorded, and the batch stops; a repeated cancel answers once
     * it is stored)
     */
    Batch cancel(Caller caller, UUID id, @Nullable String reason);

    /**
     * Redrives a terminal batch: runs the jobs {@code selection} takes again, PENDING, as
     * the batch's next run, through the same admission as a submission; the jobs that
     * succeeded keep their results. With an idempotency key that redrove this batch
     * before, returns the batch's current status (if the request is the same) instead of
     * running another time.
     * @return the batch as its new run was queued (created), or, for a key that redrove
     * it before, as it stands now
     * @throws BatchNotFoundException when there is no such batch the caller sees
     * @throws BatchStateConflictException when the batch is active, was redriven as often
     * as {@code failfast.limits.max-redrives} allows, or has no job the selection takes
     * @throws InvalidBatchException when {@code jobIds} names a job the batch does not
     * have, or one in a state the selection leaves out
     * @throws AdmissionRejectedException as {@link #submit(Caller, BatchSpec)}, for the
     * jobs run again
     * @throws IdempotencyKeyReusedException when the key redrove the batch with a
     * different request
     * @throws EngineUnavailableException while the service shuts down, or when the
     * database could not store the redrive
     */
    Submission redrive(Caller caller, UUID id, RedriveSelection selection, @Nullable IdempotencyKey key);

    /**
     * @throws BatchNotFoundException when there is no such batch the caller sees
     */
    Batch find(Caller caller, UUID id);

    /**
     * Deletes a terminal batch and its jobs.
     * @throws BatchNotFoundException when there is no such batch the caller sees
     * @throws BatchStateConflictException when the batch is still active
     */
    void delete(Caller caller, UUID id);

    /** Batches not yet terminal. */
    int activeBatches();

    /** Jobs of active batches that have not started. */
    long pendingJobs();

    /**
     * Attempts this process runs (or has handed to its executor) and that have not
     * finished.
     */
    int attemptsInFlight();

    /**
     * Batches this process refused so far because they would have exceeded {@code limit}.
     */
    long admissionRejections(AdmissionLimit limit);

    /** Whether batches are accepted: false while the service starts or shuts down. */
    boolean isAccepting();

    /**
     * Executor threads still running an attempt that was abandoned because it ignored its
     * cancellation.
     */
    int abandonedThreads();

    /**
     * Whether as many threads are stuck in abandoned attempts as
     * {@code failfast.executor.max-abandoned}.
     */
    boolean isSaturatedByAbandonedThreads();

    /**
     * Times the cluster's notice listener found its connection dead and opened a new one;
     * 0 on a single instance.
     */
    long listenerReconnects();

}
