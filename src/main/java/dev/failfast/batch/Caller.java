package dev.failfast.batch;

import java.util.Objects;

/**
 * Who asks the engine for something, as far as the domain cares: which tenant's batches
 * they see, and under which name their acts are recorded. Which operations they may call
 * at all (their scopes) is decided before a request reaches the engine.
 *
 * @param tenant the caller's tenant: batches it submits belong to it
 * @param principal who the caller is, recorded as a batch's submitter and a cancel's
 * requester
 * @param seesAllTenants an administrator, who sees and acts on every tenant's batches
 */
public record Caller(String tenant, String principal, boolean seesAllTenants) {

    public Caller {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(principal, "principal");
    }

    /** The owner of the batches this caller submits. */
    public Owner owner() {
        return new Owner(tenant, principal);
    }

    /**
     * Whether this caller may see {@code batch}; a batch it may not see is, to it, a
     * batch that does not exist.
     */
    public boolean sees(Batch batch) {
        return seesAllTenants || batch.owner().tenant().equals(tenant);
    }
}
