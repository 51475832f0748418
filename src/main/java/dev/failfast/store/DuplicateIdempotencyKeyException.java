package dev.failfast.store;

/** A batch was created with an idempotency key that another batch holds already. */
public class DuplicateIdempotencyKeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DuplicateIdempotencyKeyException(String key) {
        super("Idempotency key '" + key + "' is held by another batch");
    }

}
