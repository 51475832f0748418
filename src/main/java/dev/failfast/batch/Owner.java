package dev.failfast.batch;

import java.util.Objects;

/**
 * Who a batch belongs to: the tenant that submitted it, which alone sees it (with
 * admins), and the principal that submitted it, for the record.
 *
 * @param tenant the submitter's tenant
 * @param submittedBy the principal that submitted it ({@code key:<id>} for an API key,
 * {@code jwt:<subject>} for a bearer token)
 */
public record Owner(String tenant, String submittedBy) {

    /**
     * What a tenant's name looks like: letters, digits, {@code . _ -}, up to 64
     * characters. Names come from API keys and token claims; this keeps them safe to
     * store, log and put in a URL.
     */
    public static final String TENANT_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    public Owner {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(submittedBy, "submittedBy");
    }
}
