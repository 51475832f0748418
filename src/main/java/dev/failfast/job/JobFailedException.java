package dev.failfast.job;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a job to fail its attempt with a stable error type (see {@code JobError}).
 */
public class JobFailedException extends Exception {

    private final String errorType;

    private final @Nullable Integer httpStatus;

    public JobFailedException(String errorType, String message) {
        this(errorType, message, null);
    }

    public JobFailedException(String errorType, String message, @Nullable Throwable cause) {
        this(errorType, message, cause, null);
    }

    /**
     * @param httpStatus the HTTP status the job's target answered, when the failure is
     * one: {@code onError} rules match on it ({@code 404}, {@code 4xx})
     */
    public JobFailedException(String errorType, String message, @Nullable Throwable cause,
            @Nullable Integer httpStatus) {
        super(message, cause);
        this.errorType = errorType;
        this.httpStatus = httpStatus;
    }

    public String errorType() {
        return errorType;
    }

    /** The HTTP status the failure comes from, if it comes from one. */
    public @Nullable Integer httpStatus() {
        return httpStatus;
    }

}
