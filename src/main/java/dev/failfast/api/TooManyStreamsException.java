package dev.failfast.api;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** An event stream refused because as many are open as a cap allows: a 429. */
class TooManyStreamsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final StreamLimit limit;

    private final @Nullable String tenant;

    private final Duration retryAfter;

    TooManyStreamsException(String message, StreamLimit limit, @Nullable String tenant, Duration retryAfter) {
        super(message);
        this.limit = limit;
        this.tenant = tenant;
        this.retryAfter = retryAfter;
    }

    StreamLimit limit() {
        return limit;
    }

    /** The tenant whose cap it is; null for the cap of the whole service. */
    @Nullable String tenant() {
        return tenant;
    }

    Duration retryAfter() {
        return retryAfter;
    }

}
