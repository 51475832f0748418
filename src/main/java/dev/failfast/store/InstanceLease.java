package dev.failfast.store;

/**
 * The right to run against a store: one Failfast instance per database. The engine
 * acquires it before it recovers the batches a previous process left unfinished, and
 * releases it when it stops, so a second instance can never settle or re-run the batches
 * of a live one.
 */
public interface InstanceLease {

    /**
     * Takes the lease, waiting for a holder that stopped renewing it to expire.
     * @throws InstanceLeaseHeldException when another live instance holds it
     */
    void acquire();

    /** Extends the lease; returns false if another instance took it meanwhile. */
    boolean renew();

    /** Gives the lease up, if this instance holds it. */
    void release();

    /**
     * What the store checks in each of its write transactions, so that its writes commit
     * only while this instance holds the lease. None unless the lease lives in a database
     * others can reach.
     */
    default WriteFence fence() {
        return WriteFence.NONE;
    }

}
