package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.store.BatchStore;
import dev.failfast.store.DuplicateIdempotencyKeyException;
import dev.failfast.store.IdempotencyKey;
import java.util.Optional;
import java.util.function.Supplier;

/** Runs a submission at most once per idempotency key; shared by both engines. */
final class IdempotentSubmission {

    private IdempotentSubmission() {
    }

    /**
     * Returns the batch this key created in {@code tenant}, if any (after checking that
     * the request is the same), else the one {@code start} creates with it.
     * @throws IdempotencyKeyReusedException when the key belongs to a batch submitted
     * with a different request
     */
    static Submission submit(BatchStore store, String tenant, IdempotencyKey key, Supplier<Batch> start) {
        Optional<Submission> earlier = submitted(store, tenant, key);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        try {
            return new Submission(start.get(), true);
        }
        catch (DuplicateIdempotencyKeyException e) {
            // A concurrent request with the same key won the race.
            return submitted(store, tenant, key).orElseThrow(() -> e);
        }
    }

    private static Optional<Submission> submitted(BatchStore store, String tenant, IdempotencyKey key) {
        return store.findByIdempotencyKey(tenant, key.key()).flatMap(keyed -> {
            if (!keyed.requestFingerprint().equals(key.requestFingerprint())) {
                throw new IdempotencyKeyReusedException(key.key(), keyed.batchId());
            }
            return store.findBatch(keyed.batchId()).map(batch -> new Submission(batch, false));
        });
    }

}
