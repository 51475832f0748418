package dev.failfast.store;

import java.time.Instant;

/**
 * Another live Failfast instance holds the lease on the database: this one must not
 * start.
 */
public class InstanceLeaseHeldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InstanceLeaseHeldException(String owner, Instant expiresAt) {
        super(("Another Failfast instance (%s) is using this database, lease until %s. Failfast runs one instance "
                + "per database, or replicas that all have failfast.cluster.enabled=true: stop the other instance, "
                + "wait for its lease to expire, or run every instance in cluster mode")
            .formatted(owner, expiresAt));
    }

}
