package dev.failfast.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;

/**
 * A cluster replica's lease: its own row in {@code cluster_node}, renewed every third of
 * its ttl. Replicas do not exclude each other; the lease tells the others that this one
 * is alive. When it expires, a surviving replica settles the jobs this one was running
 * and deletes the row, and this one, should it still run, finds its row gone at its next
 * renewal and halts (see {@link RenewedLease}).
 *
 * <p>
 * A single instance holding the {@code instance_lease} keeps replicas off the database:
 * {@link #acquire()} refuses to start while that lease is held and renewed.
 */
public final class NodeLease extends RenewedLease {

    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

    private final String node;

    /**
     * @param node this replica's id, unique among live replicas
     * @param onLost what to do when the lease is lost while held (the service halts)
     */
    public NodeLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl, String node,
            Runnable onLost) {
        super(dataSource, scheduler, clock, ttl, onLost);
        this.node = node;
    }

    /** This replica's id: the owner of the jobs it claims. */
    public String node() {
        return node;
    }

    @Override
    String name() {
        return "cluster node lease of " + node;
    }

    /**
     * Registers this replica.
     * @throws InstanceLeaseHeldException when a single (not clustered) instance uses the
     * database
     */
    @Override
    public void acquire() {
        ensureLeaseRow();
        Instant expiry = tx.execute(status -> {
            Instant now = clock.instant();
            // Locking the single instance's row (it always exists) orders this against a
            // single instance starting now: whichever locks second sees the other's
            // lease.
            Holder single = client.sql("SELECT owner, expires_at FROM instance_lease WHERE id = 1 FOR UPDATE")
                .query(Holder::of)
                .single();
            if (!single.isFree() && single.expiresAt().isAfter(now)) {
                throw new InstanceLeaseHeldException(single.owner(), single.expiresAt());
            }
            beforeAcquireWrite.run();
            client.sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
                .params(node, utc(now), utc(now.plus(ttl)))
                .update();
            return now.plus(ttl);
        });
        held(expiry);
        log.info("Cluster node {} registered for {}, renewed every {}", node, ttl, renewInterval());
    }

    /**
     * Only a lease that has not expired is renewed: once it has, the others may be
     * settling this replica's jobs, and it must stop rather than come back.
     */
    @Override
    boolean writeExpiry(Instant expiry) {
        return client.sql("UPDATE cluster_node SET expires_at = ? WHERE id = ? AND expires_at > ?")
            .params(utc(expiry), node, utc(clock.instant()))
            .update() > 0;
    }

    @Override
    void releaseRow() {
        client.sql("DELETE FROM cluster_node WHERE id = ?").param(node).update();
    }

}
