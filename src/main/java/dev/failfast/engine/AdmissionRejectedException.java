package dev.failfast.engine;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The service is too busy to take this batch now, or its tenant is over a quota; the
 * client should try again after {@link #retryAfter()}.
 */
public final class AdmissionRejectedException extends LimitExceededException {

    private static final long serialVersionUID = 1L;

    private final AdmissionLimit admissionLimit;

    /**
     * @param limit the limit the batch would have exceeded
     * @param tenant the tenant whose quota it is, or null for a limit of the whole
     * service
     */
    public AdmissionRejectedException(String message, Duration retryAfter, AdmissionLimit limit,
            @Nullable String tenant) {
        super(message, limit, tenant, retryAfter);
        this.admissionLimit = limit;
    }

    @Override
    public AdmissionLimit limit() {
        return admissionLimit;
    }

}
