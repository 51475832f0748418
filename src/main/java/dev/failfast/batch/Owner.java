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

    public Owner {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(submittedBy, "submittedBy");
    }
}
