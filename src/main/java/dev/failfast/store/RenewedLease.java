package dev.failfast.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.ScheduledFuture;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A lease kept as a row with an expiry, renewed every third of its ttl while held: the
 * instance lease of a single instance, or a cluster node's lease.
 *
 * <p>
 * A holder that cannot renew (the database is unreachable, or the row was taken over
 * after it expired) must not go on writing: another instance may already be settling its
 * jobs. When a renewal finds the row taken, or when less than one renewal interval of the
 * lease is left, the holder calls its {@code onLost} action, which in the service halts
 * the process at once, without a graceful shutdown's writes.
 *
 * <p>
 * "Now" is the engine's clock, compared with expiries other instances wrote: instances on
 * different hosts need clocks in sync to well within a third of the ttl.
 */
abstract sealed class RenewedLease implements InstanceLease permits JdbcInstanceLease, NodeLease {

    private static final Logger log = LoggerFactory.getLogger(RenewedLease.class);

    final JdbcClient client;

    final TransactionTemplate tx;

    final Clock clock;

    final Duration ttl;

    private final TaskScheduler scheduler;

    private final Runnable onLost;

    /** The expiry this holder last wrote; null while it does not hold the lease. */
    private volatile @Nullable Instant heldUntil;

    private volatile @Nullable ScheduledFuture<?> renewal;

    private volatile @Nullable ScheduledFuture<?> watch;

    /**
     * Test hook: runs in the acquiring transaction after its checks, before its write, so
     * that a test can pause a start there and race another one against it. Does nothing
     * in the service.
     */
    volatile Runnable beforeAcquireWrite = () -> {
    };

    /**
     * @param scheduler runs the renewals and the check that the lease is still held; not
     * shared with other work, so that a renewal waiting for the database cannot hold that
     * work up
     * @param ttl how long the lease lasts unless renewed
     * @param onLost what to do when the lease is lost while held (the service halts)
     */
    RenewedLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl, Runnable onLost) {
        this.client = JdbcClient.create(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.scheduler = scheduler;
        this.clock = clock;
        this.ttl = ttl;
        this.onLost = onLost;
    }

    /** Who holds a lease row, until when. */
    record Holder(String owner, Instant expiresAt) {

        /** Reads columns {@code owner} and {@code expires_at}. */
        static Holder of(ResultSet rs, int row) throws SQLException {
            return new Holder(rs.getString("owner"), rs.getObject("expires_at", OffsetDateTime.class).toInstant());
        }

        /** The instance lease row of no instance: released, or never taken. */
        boolean isFree() {
            return owner.isEmpty();
        }
    }

    /** What the lease is, in log lines: "instance lease", "cluster node lease". */
    abstract String name();

    /**
     * Writes a new expiry, in a transaction; false if the row is no longer this holder's.
     */
    abstract boolean writeExpiry(Instant expiry);

    /** Gives this holder's row up. */
    abstract void releaseRow();

    /**
     * Puts the free instance lease row back if it is missing: migration V5 creates it,
     * but a version before it deleted the row at shutdown. Every start locks that row, so
     * it must exist.
     */
    final void ensureLeaseRow() {
        try {
            client.sql("""
                    INSERT INTO instance_lease (id, owner, acquired_at, expires_at)
                    SELECT 1, '', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00:00',
                        TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00:00'
                    WHERE NOT EXISTS (SELECT 1 FROM instance_lease WHERE id = 1)""").update();
        }
        catch (DuplicateKeyException e) {
            // Another instance put it back first.
        }
    }

    /** Records the lease as taken until {@code expiry}, and starts renewing it. */
    final void held(Instant expiry) {
        heldUntil = expiry;
        Duration interval = renewInterval();
        cancelTasks();
        Instant start = scheduler.getClock().instant().plus(interval);
        renewal = scheduler.scheduleAtFixedRate(this::renewQuietly, start, interval);
        watch = scheduler.scheduleAtFixedRate(this::checkHeld, start, interval.dividedBy(2));
    }

    @Override
    public boolean renew() {
        Instant[] expiry = new Instant[1];
        // "Now" once the connection is there: a renewal that waited for it must not write
        // an old expiry.
        Boolean renewed = tx.execute(status -> {
            expiry[0] = clock.instant().plus(ttl);
            return writeExpiry(expiry[0]);
        });
        if (!Boolean.TRUE.equals(renewed)) {
            return false;
        }
        // Only once committed: a renewal whose commit failed left the old expiry in the
        // database, and the watch must go by that one, or this holder would write on
        // after another took the lease.
        extendHeld(expiry[0]);
        return true;
    }

    /**
     * Moves the expiry the watch goes by, unless the lease was released or lost
     * meanwhile.
     */
    private synchronized void extendHeld(Instant expiry) {
        if (heldUntil != null) {
            heldUntil = expiry;
        }
    }

    /**
     * The scheduled renewal: a lease found taken is lost; a failed renewal is tried
     * again.
     */
    final void renewQuietly() {
        try {
            if (!renew()) {
                lost("another instance took it over after it expired");
            }
        }
        catch (DataAccessException | TransactionException e) {
            // A failed commit is a TransactionException, not a DataAccessException: the
            // same retry.
            log.warn("Renewing the {} failed; trying again in {} (the lease lasts until {})", name(), renewInterval(),
                    heldUntil, e);
        }
    }

    /**
     * The scheduled check: with less than a renewal interval of the lease left, it counts
     * as lost.
     */
    final void checkHeld() {
        Instant until = heldUntil;
        if (until != null && !clock.instant().isBefore(until.minus(renewInterval()))) {
            lost("it could not be renewed and expires at " + until);
        }
    }

    /**
     * Reports the lease lost (the service halts), unless it was released or reported
     * already.
     */
    final synchronized void lost(String why) {
        if (heldUntil == null) {
            return; // released meanwhile, or reported already
        }
        heldUntil = null;
        cancelTasks();
        log.error("The {} is lost: {}. Another Failfast instance may be settling this one's jobs now; stopping at "
                + "once, without writing anything more", name(), why);
        onLost.run();
    }

    @Override
    public synchronized void release() {
        boolean held = heldUntil != null;
        heldUntil = null;
        cancelTasks();
        if (!held) {
            return;
        }
        try {
            releaseRow();
        }
        catch (DataAccessException e) {
            log.warn("Releasing the {} failed; it expires by itself within {}", name(), ttl, e);
        }
    }

    private void cancelTasks() {
        for (ScheduledFuture<?> task : new ScheduledFuture<?>[] { renewal, watch }) {
            if (task != null) {
                task.cancel(false);
            }
        }
        renewal = null;
        watch = null;
    }

    final Duration renewInterval() {
        return ttl.dividedBy(3);
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

}
