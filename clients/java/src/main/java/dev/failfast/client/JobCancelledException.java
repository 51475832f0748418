package dev.failfast.client;

/**
 * Thrown by {@link CancelToken#throwIfCancelled()} once the attempt is cancelled. A handler
 * may let it go: the attempt is reported as stopped ({@code CANCELLED}).
 */
public final class JobCancelledException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    JobCancelledException(String reason) {
        super("Cancelled: " + reason);
    }

}
