package dev.failfast.engine;

import java.time.Duration;

/**
 * The service is too busy to take this batch now; the client should try again after
 * {@link #retryAfter()}.
 */
public final class AdmissionRejectedException extends RuntimeException {

    private final Duration retryAfter;

    public AdmissionRejectedException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

}
