package dev.failfast.client;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Thrown by a {@link JobHandler} to fail its attempt with a stable error type, such as
 * {@code S3_ERROR}, and optionally an HTTP-like {@code status} (the batch's {@code onError}
 * rules match it as they match an {@code http} job's status) and a {@code retryAfter}: the
 * target asked to be called again later, a deferral rather than a failed attempt. Any other
 * exception fails the attempt with error type {@code JOB_ERROR}.
 */
public class JobFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private static final Pattern ERROR_TYPE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

    private final String errorType;

    private final Integer status;

    private final Duration retryAfter;

    /** A failure of this type ({@code [A-Z][A-Z0-9_]{0,63}}) and message. */
    public JobFailedException(String errorType, String message) {
        this(errorType, message, null, null, null);
    }

    /** The same, caused by another exception. */
    public JobFailedException(String errorType, String message, Throwable cause) {
        this(errorType, message, null, null, cause);
    }

    /** A failure with an HTTP-like status (100..599). */
    public JobFailedException(String errorType, String message, int status) {
        this(errorType, message, status, null, null);
    }

    /**
     * A failure with an HTTP-like status (null: none) and a wait before the next attempt
     * (null: none).
     */
    public JobFailedException(String errorType, String message, Integer status, Duration retryAfter) {
        this(errorType, message, status, retryAfter, null);
    }

    private JobFailedException(String errorType, String message, Integer status, Duration retryAfter,
            Throwable cause) {
        super(message, cause);
        Objects.requireNonNull(errorType, "errorType");
        if (!ERROR_TYPE.matcher(errorType).matches()) {
            throw new IllegalArgumentException("errorType must match " + ERROR_TYPE + ": " + errorType);
        }
        if (status != null && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be 100..599: " + status);
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
        }
        this.errorType = errorType;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** The error type. */
    public String errorType() {
        return errorType;
    }

    /** The HTTP-like status, or null. */
    public Integer status() {
        return status;
    }

    /** How long to wait before the next attempt, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

}
