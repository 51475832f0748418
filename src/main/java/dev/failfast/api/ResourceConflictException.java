package dev.failfast.api;

/**
 * A request the resource's state does not allow now (a re-send of a pending
 * notification): a 409.
 */
final class ResourceConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ResourceConflictException(String message) {
        super(message);
    }

}
