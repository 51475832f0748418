package dev.failfast.batch;

import java.util.UUID;

/**
 * An operation does not fit the batch's current state, e.g. cancelling a finished batch.
 */
public final class BatchStateConflictException extends RuntimeException {

    private final UUID batchId;

    private final BatchState state;

    public BatchStateConflictException(UUID batchId, BatchState state, String detail) {
        super("Batch " + batchId + " is " + state + ": " + detail);
        this.batchId = batchId;
        this.state = state;
    }

    public UUID batchId() {
        return batchId;
    }

    public BatchState state() {
        return state;
    }

}
