package dev.failfast.api;

import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestBatches.aBatchLike;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.Caller;
import dev.failfast.batch.CancellationCause;
import dev.failfast.engine.AdmissionLimit;
import dev.failfast.engine.BatchEngine;
import dev.failfast.engine.IdempotencyKeyReusedException;
import dev.failfast.engine.RedriveSelection;
import dev.failfast.engine.Submission;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import dev.failfast.store.KeyedBatch;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * An engine for web slices: it keeps what it is given in a store and runs nothing.
 * Submissions are stored QUEUED, cancelling records the cause and leaves the batch
 * CANCELLING, and the guards the API documents (404, 409, 422 for a reused key) are kept,
 * so the web layer sees what it would see from a real engine. A test can make submissions
 * fail with any exception the engine may throw.
 */
final class FakeBatchEngine implements BatchEngine {

    private final BatchStore store;

    private final List<BatchSpec> submitted = new CopyOnWriteArrayList<>();

    private volatile @Nullable RuntimeException refusal;

    FakeBatchEngine(BatchStore store) {
        this.store = store;
    }

    /**
     * Every submission from now on throws {@code e}, as a busy or stopping engine would.
     */
    void refuseSubmissionsWith(RuntimeException e) {
        refusal = e;
    }

    /** Back to accepting everything; forgets what was submitted. */
    void reset() {
        refusal = null;
        submitted.clear();
    }

    /** The specs submitted (and accepted) so far, as the controller mapped them. */
    List<BatchSpec> submitted() {
        return List.copyOf(submitted);
    }

    @Override
    public Batch submit(Caller caller, BatchSpec spec) {
        return start(caller, spec, null);
    }

    @Override
    public Submission submit(Caller caller, BatchSpec spec, IdempotencyKey key) {
        Optional<KeyedBatch> earlier = store.findByIdempotencyKey(caller.tenant(), key.key());
        if (earlier.isPresent()) {
            if (!earlier.get().requestFingerprint().equals(key.requestFingerprint())) {
                throw new IdempotencyKeyReusedException(key.key(), earlier.get().batchId());
            }
            return new Submission(find(caller, earlier.get().batchId()), false);
        }
        return new Submission(start(caller, spec, key), true);
    }

    private Batch start(Caller caller, BatchSpec spec, @Nullable IdempotencyKey key) {
        RuntimeException e = refusal;
        if (e != null) {
            throw e;
        }
        var builder = aBatch(spec).owner(caller.owner()).createdAt(Instant.now());
        Batch batch = builder.build();
        store.create(batch, builder.jobs(), key);
        submitted.add(spec);
        return batch;
    }

    /**
     * The web slice's tests stop at the controller; RedriveTest drives the real engines.
     */
    @Override
    public Submission redrive(Caller caller, UUID id, RedriveSelection selection, @Nullable IdempotencyKey key) {
        throw new UnsupportedOperationException("no redrive in the web slice");
    }

    @Override
    public Batch cancel(Caller caller, UUID id, @Nullable String reason) {
        Batch batch = find(caller, id);
        if (batch.state().isTerminal()) {
            throw new BatchStateConflictException(id, batch.state(), "it has finished and cannot be cancelled");
        }
        if (batch.cancellation() != null) {
            return batch;
        }
        var cause = CancellationCause.userRequested(reason, caller.principal(), Instant.now());
        Batch cancelling = aBatchLike(batch).cancelling(cause).build();
        store.update(cancelling, List.of());
        return cancelling;
    }

    @Override
    public Batch find(Caller caller, UUID id) {
        return store.findBatch(id).filter(caller::sees).orElseThrow(() -> new BatchNotFoundException(id));
    }

    @Override
    public void delete(Caller caller, UUID id) {
        Batch batch = find(caller, id);
        if (!batch.state().isTerminal()) {
            throw new BatchStateConflictException(id, batch.state(), "cancel it first and wait until it has finished");
        }
        store.delete(id);
    }

    @Override
    public int activeBatches() {
        return 0;
    }

    @Override
    public long pendingJobs() {
        return 0;
    }

    @Override
    public int attemptsInFlight() {
        return 0;
    }

    @Override
    public long admissionRejections(AdmissionLimit limit) {
        return 0;
    }

    @Override
    public boolean isAccepting() {
        return refusal == null;
    }

    @Override
    public int abandonedThreads() {
        return 0;
    }

    @Override
    public boolean isSaturatedByAbandonedThreads() {
        return false;
    }

    @Override
    public long listenerReconnects() {
        return 0;
    }

}
