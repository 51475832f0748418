package dev.failfast.batch;

import java.util.UUID;

/** No batch has this id (it never existed, or it was deleted or purged). */
public final class BatchNotFoundException extends RuntimeException {

    private final UUID batchId;

    public BatchNotFoundException(UUID batchId) {
        super("Batch " + batchId + " not found");
        this.batchId = batchId;
    }

    public UUID batchId() {
        return batchId;
    }

}
