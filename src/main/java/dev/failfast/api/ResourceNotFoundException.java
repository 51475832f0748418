package dev.failfast.api;

/** A notification or a subscription that does not exist, or not for the caller: a 404. */
final class ResourceNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ResourceNotFoundException(String message) {
        super(message);
    }

}
