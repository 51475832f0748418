package dev.failfast.store;

import java.sql.DatabaseMetaData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.scheduling.TaskScheduler;

/**
 * The instance lease as row 1 of table {@code instance_lease}: its owner (a random id per
 * process) and when it expires. The holder renews it every third of its ttl while it
 * holds it, and halts if it loses it (see {@link RenewedLease}).
 *
 * <p>
 * A holder that is killed stops renewing: the next instance finds the lease held, waits
 * until it expires, and takes it (a restart after kill -9 waits at most the ttl). If the
 * lease was renewed meanwhile, its holder is alive, and {@link #acquire()} refuses to go
 * on. Live replicas of the cluster mode (table {@code cluster_node}) hold the database as
 * well: a single instance waits for their leases in the same way, and refuses to start if
 * they are renewed.
 *
 * <p>
 * The row always exists (migration V5); a free lease has owner {@code ''}. Every start,
 * of a single instance or of a replica, first locks the row
 * ({@code SELECT … FOR UPDATE}), then looks at the leases of the others, then writes its
 * own: two starts at once are serialized on that lock, and the second sees the first
 * one's lease, so exactly one of a single instance and a replica starts. (A missing row,
 * as a clean shutdown left it before, locked nothing.)
 */
public final class JdbcInstanceLease extends RenewedLease {

    private static final Logger log = LoggerFactory.getLogger(JdbcInstanceLease.class);

    /**
     * Waited beyond a holder's expiry, so that a holder renewing right on time is seen
     * alive.
     */
    private static final Duration MARGIN = Duration.ofSeconds(1);

    /** Waits, in wall time; tests advance their clock instead. */
    @FunctionalInterface
    interface Waiter {

        void await(Duration duration) throws InterruptedException;

    }

    private final DataSource dataSource;

    private final Waiter waiter;

    private final String owner = UUID.randomUUID().toString();

    /** The expiry written by the last successful {@link #tryAcquire()}. */
    private @Nullable Instant takenUntil;

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param scheduler runs the renewals and the check that the lease is still held
     * @param ttl how long the lease lasts unless renewed: the longest a restart after a
     * crash waits
     * @param onLost what to do when the lease is lost while held (the service halts)
     */
    public JdbcInstanceLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl,
            Runnable onLost) {
        this(dataSource, scheduler, clock, ttl, Thread::sleep, onLost);
    }

    JdbcInstanceLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl, Waiter waiter,
            Runnable onLost) {
        super(dataSource, scheduler, clock, ttl, onLost);
        this.dataSource = dataSource;
        this.waiter = waiter;
    }

    String owner() {
        return owner;
    }

    @Override
    String name() {
        return "instance lease";
    }

    @Override
    public void acquire() {
        Holder waitedFor = null;
        for (Holder holder = tryAcquire(); holder != null; holder = tryAcquire()) {
            if (waitedFor != null && (!holder.owner().equals(waitedFor.owner())
                    || holder.expiresAt().isAfter(waitedFor.expiresAt()))) {
                throw new InstanceLeaseHeldException(holder.owner(), holder.expiresAt());
            }
            waitedFor = holder;
            Duration wait = Duration.between(clock.instant(), holder.expiresAt()).plus(MARGIN);
            log.info("The database is leased to Failfast instance {} until {}: waiting {} for the lease to expire "
                    + "(it is renewed if that instance still runs)", holder.owner(), holder.expiresAt(), wait);
            try {
                waiter.await(wait);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the instance lease", e);
            }
        }
        held(Objects.requireNonNull(takenUntil));
        log.info("Instance lease acquired by {} for {}, renewed every {}", owner, ttl, renewInterval());
    }

    /**
     * Takes the lease if it is free, expired or ours, and no cluster node is alive; else
     * returns who holds it.
     */
    private @Nullable Holder tryAcquire() {
        ensureLeaseRow();
        return tx.execute(status -> {
            Instant now = clock.instant();
            // The row always exists: this lock orders every instance and replica starting
            // now.
            Holder holder = client.sql("SELECT owner, expires_at FROM instance_lease WHERE id = 1 FOR UPDATE")
                .query(Holder::of)
                .single();
            if (!holder.isFree() && !holder.owner().equals(owner) && holder.expiresAt().isAfter(now)) {
                return holder;
            }
            Holder node = client.sql("""
                    SELECT id AS owner, expires_at FROM cluster_node WHERE expires_at > ?
                    ORDER BY expires_at DESC LIMIT 1""").param(utc(now)).query(Holder::of).optional().orElse(null);
            if (node != null) {
                return node;
            }
            beforeAcquireWrite.run();
            client.sql("UPDATE instance_lease SET owner = ?, acquired_at = ?, expires_at = ? WHERE id = 1")
                .params(owner, utc(now), utc(now.plus(ttl)))
                .update();
            takenUntil = now.plus(ttl);
            return null;
        });
    }

    /**
     * Reads the lease row in the write's transaction, under a shared lock. On PostgreSQL
     * that is {@code FOR KEY SHARE}: the store's writes do not wait for each other, nor
     * for a renewal (an UPDATE of the expiry, which takes no key lock), but a takeover's
     * {@code SELECT … FOR UPDATE} waits for them to commit, and then reads what they
     * wrote. (H2 has no shared row lock: it takes {@code FOR UPDATE}, so there the
     * store's writes and renewals wait for each other.) A write that finds another owner,
     * or a free lease (this instance released it), is refused; if the lease was held, it
     * is lost, and the service halts.
     */
    @Override
    public WriteFence fence() {
        String lockClause = isPostgres() ? " FOR KEY SHARE" : " FOR UPDATE";
        String check = "SELECT owner FROM instance_lease WHERE id = 1" + lockClause;
        return database -> {
            String holder = database.sql(check).query(String.class).optional().orElse("");
            if (!holder.equals(owner)) {
                var refused = new WriteFencedException(owner, holder);
                lost("a write to the store found it " + (holder.isEmpty() ? "free" : "held by " + holder));
                throw refused;
            }
        };
    }

    private boolean isPostgres() {
        try {
            return "PostgreSQL"
                .equals(JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName));
        }
        catch (MetaDataAccessException e) {
            throw new IllegalStateException("Cannot tell which database the instance lease is in", e);
        }
    }

    @Override
    boolean writeExpiry(Instant expiry) {
        return client.sql("UPDATE instance_lease SET expires_at = ? WHERE id = 1 AND owner = ?")
            .params(utc(expiry), owner)
            .update() > 0;
    }

    /**
     * Marks the row free (owner ''), rather than deleting it: the row must stay there to
     * be locked.
     */
    @Override
    void releaseRow() {
        client.sql("UPDATE instance_lease SET owner = '', expires_at = ? WHERE id = 1 AND owner = ?")
            .params(utc(clock.instant()), owner)
            .update();
    }

}
