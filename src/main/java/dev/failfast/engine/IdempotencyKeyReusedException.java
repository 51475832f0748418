package dev.failfast.engine;

import java.util.UUID;

/**
 * An idempotency key came back with a request different from the one that first used it.
 */
public class IdempotencyKeyReusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final UUID batchId;

    public IdempotencyKeyReusedException(String key, UUID batchId) {
        super("Idempotency key '" + key + "' was used for batch " + batchId
                + " with a different request; use a new key for a new batch");
        this.batchId = batchId;
    }

    /** The batch the key belongs to. */
    public UUID batchId() {
        return batchId;
    }

}
