package dev.failfast.engine;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The service is too busy to take this batch now, or its tenant is over a quota; the
 * client should try again after {@link #retryAfter()}.
 */
public final class AdmissionRejectedException extends RuntimeException {

    private final Duration retryAfter;

    private final AdmissionLimit limit;

    private final @Nullable String tenant;

    /**
     * @param limit the limit the batch would have exceeded
     * @param tenant the tenant whose quota it is, or null for a limit of the whole
     * service
     */
    public AdmissionRejectedException(String message, Duration retryAfter, AdmissionLimit limit,
            @Nullable String tenant) {
        super(message);
        this.retryAfter = retryAfter;
        this.limit = limit;
        this.tenant = tenant;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public AdmissionLimit limit() {
        return limit;
    }

    /** The tenant whose quota it is; null for a limit of the whole service. */
    public @Nullable String tenant() {
        return tenant;
    }

}
