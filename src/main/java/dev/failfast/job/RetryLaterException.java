package dev.failfast.job;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a job whose target asked to be called again later (HTTP 429 or 503 with
 * {@code Retry-After}): backpressure, not a failure. The engine runs the attempt again
 * once {@link #delay()} has passed (capped by configuration) without counting a failed
 * attempt; a job that is deferred too often fails with the given error type and message.
 */
public class RetryLaterException extends JobFailedException {

    private final Duration delay;

    /**
     * @param delay how long the target asked to wait; not negative
     * @param errorType the error type if the engine gives up deferring
     * @param message what happened, without credentials
     */
    public RetryLaterException(Duration delay, String errorType, String message) {
        this(delay, errorType, message, null);
    }

    /**
     * @param delay how long the target asked to wait; not negative
     * @param errorType the error type if the engine gives up deferring
     * @param message what happened, without credentials
     * @param httpStatus the HTTP status that asked to wait (429, 503), if one did
     */
    public RetryLaterException(Duration delay, String errorType, String message, @Nullable Integer httpStatus) {
        super(errorType, message, null, httpStatus);
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        this.delay = delay;
    }

    /** How long the target asked to wait before the next call. */
    public Duration delay() {
        return delay;
    }

}
