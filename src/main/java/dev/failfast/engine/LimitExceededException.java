package dev.failfast.engine;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A request refused because it would go over a {@link Limit}: a 429 with
 * {@code Retry-After}. The client should try again after {@link #retryAfter()}.
 */
public class LimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Limit limit;

    private final @Nullable String tenant;

    private final Duration retryAfter;

    /**
     * @param limit the limit the request would have gone over
     * @param tenant the tenant whose limit it is, or null for a limit of the whole
     * service
     */
    public LimitExceededException(String message, Limit limit, @Nullable String tenant, Duration retryAfter) {
        super(message);
        this.limit = limit;
        this.tenant = tenant;
        this.retryAfter = retryAfter;
    }

    public Limit limit() {
        return limit;
    }

    /** The tenant whose limit it is; null for a limit of the whole service. */
    public @Nullable String tenant() {
        return tenant;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

}
