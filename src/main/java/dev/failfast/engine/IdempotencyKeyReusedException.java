package dev.failfast.engine;

import java.util.UUID;

/**
 * An idempotency key came back with a request different from the one that first used it.
 */
public class IdempotencyKeyReusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final UUID batchId;

    public IdempotencyKeyReusedException(String key, UUID batchId) {
        this(batchId, "Idempotency key '" + key + "' was used for batch " + batchId
                + " with a different request; use a new key for a new batch");
    }

    private IdempotencyKeyReusedException(UUID batchId, String message) {
        super(message);
        this.batchId = batchId;
    }

    /** The key started a redrive of the batch that was asked with another request. */
    static IdempotencyKeyReusedException ofRedrive(String key, UUID batchId) {
        return new IdempotencyKeyReusedException(batchId,
                "Idempotency key '" + key + "' was used for a redrive of batch " + batchId
                        + " with a different request; use a new key for a new " + "redrive");
    }

    /** The batch the key belongs to. */
    public UUID batchId() {
        return batchId;
    }

}
