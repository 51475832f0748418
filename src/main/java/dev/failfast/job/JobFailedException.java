package dev.failfast.job;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a job to fail its attempt with a stable error type (see {@code JobError}).
 */
public class JobFailedException extends Exception {

    private final String errorType;

    public JobFailedException(String errorType, String message) {
        this(errorType, message, null);
    }

    public JobFailedException(String errorType, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.errorType = errorType;
    }

    public String errorType() {
        return errorType;
    }

}
