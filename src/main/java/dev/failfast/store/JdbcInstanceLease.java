package dev.failfast.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
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
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The instance lease as row 1 of table {@code instance_lease}: its owner (a random id per process)
 * and when it expires. The holder renews it every third of its ttl while it holds it.
 *
 * <p>A holder that is killed stops renewing: the next instance finds the lease held, waits until
 * it expires, and takes it (a restart after kill -9 waits at most the ttl). If the lease was
 * renewed meanwhile, its holder is alive, and {@link #acquire()} refuses to go on.
 *
 * <p>A holder that cannot renew (the database is unreachable, or another instance took the lease
 * after it expired) must not go on writing: the other instance may already be settling its
 * batches. When a renewal finds the lease taken, or when less than one renewal interval of it is
 * left, the holder calls its {@code onLost} action, which in the service halts the process at
 * once, without a graceful shutdown's writes.
 *
 * <p>"Now" is the engine's clock, compared with the expiry another instance wrote: instances on
 * different hosts need clocks in sync to well within a third of the ttl.
 */
public final class JdbcInstanceLease implements InstanceLease {

    private static final Logger log = LoggerFactory.getLogger(JdbcInstanceLease.class);
    /** Waited beyond a holder's expiry, so that a holder renewing right on time is seen alive. */
    private static final Duration MARGIN = Duration.ofSeconds(1);

    /** Waits, in wall time; tests advance their clock instead. */
    @FunctionalInterface
    interface Waiter {
        void await(Duration duration) throws InterruptedException;
    }

    private record Holder(String owner, Instant expiresAt) {}

    private final JdbcClient client;
    private final TransactionTemplate tx;
    private final TaskScheduler scheduler;
    private final Clock clock;
    private final Duration ttl;
    private final Waiter waiter;
    private final Runnable onLost;
    private final String owner = UUID.randomUUID().toString();
    /** The expiry this instance last wrote; null while it does not hold the lease. */
    private volatile @Nullable Instant heldUntil;
    private volatile @Nullable ScheduledFuture<?> renewal;
    private volatile @Nullable ScheduledFuture<?> watch;

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param scheduler runs the renewals and the check that the lease is still held; not shared
     *     with other work, so that a renewal waiting for the database cannot hold that work up
     * @param ttl how long the lease lasts unless renewed: the longest a restart after a crash waits
     * @param onLost what to do when the lease is lost while held (the service halts)
     */
    public JdbcInstanceLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl,
            Runnable onLost) {
        this(dataSource, scheduler, clock, ttl, Thread::sleep, onLost);
    }

    JdbcInstanceLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl, Waiter waiter,
            Runnable onLost) {
        this.client = JdbcClient.create(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.scheduler = scheduler;
        this.clock = clock;
        this.ttl = ttl;
        this.waiter = waiter;
        this.onLost = onLost;
    }

    String owner() {
        return owner;
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
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the instance lease", e);
            }
        }
        Duration interval = renewInterval();
        log.info("Instance lease acquired by {} for {}, renewed every {}", owner, ttl, interval);
        cancelTasks();
        Instant start = scheduler.getClock().instant().plus(interval);
        renewal = scheduler.scheduleAtFixedRate(this::renewQuietly, start, interval);
        watch = scheduler.scheduleAtFixedRate(this::checkHeld, start, interval.dividedBy(2));
    }

    /** Takes the lease if it is free, expired or ours; else returns who holds it. */
    private @Nullable Holder tryAcquire() {
        try {
            return tx.execute(status -> {
                Instant now = clock.instant();
                Holder holder = client.sql("SELECT owner, expires_at FROM instance_lease WHERE id = 1 FOR UPDATE")
                        .query(JdbcInstanceLease::holder).optional().orElse(null);
                if (holder == null) {
                    client.sql("INSERT INTO instance_lease (id, owner, acquired_at, expires_at) VALUES (1, ?, ?, ?)")
                            .params(owner, utc(now), utc(now.plus(ttl))).update();
                    heldUntil = now.plus(ttl);
                    return null;
                }
                if (!holder.owner().equals(owner) && holder.expiresAt().isAfter(now)) {
                    return holder;
                }
                client.sql("UPDATE instance_lease SET owner = ?, acquired_at = ?, expires_at = ? WHERE id = 1")
                        .params(owner, utc(now), utc(now.plus(ttl))).update();
                heldUntil = now.plus(ttl);
                return null;
            });
        } catch (DuplicateKeyException e) {
            // Another instance inserted the row first: it holds the lease (unless it let it go already).
            return client.sql("SELECT owner, expires_at FROM instance_lease WHERE id = 1")
                    .query(JdbcInstanceLease::holder).optional().orElseGet(this::tryAcquire);
        }
    }

    @Override
    public boolean renew() {
        // "Now" once the connection is there: a renewal that waited for it must not write an old expiry.
        Boolean renewed = tx.execute(status -> {
            Instant expiry = clock.instant().plus(ttl);
            boolean updated = client.sql("UPDATE instance_lease SET expires_at = ? WHERE id = 1 AND owner = ?")
                    .params(utc(expiry), owner).update() > 0;
            if (updated) {
                heldUntil = expiry;
            }
            return updated;
        });
        return Boolean.TRUE.equals(renewed);
    }

    /** The scheduled renewal: a lease found taken is lost; a failed renewal is tried again. */
    void renewQuietly() {
        try {
            if (!renew()) {
                lost("another instance took it over after it expired");
            }
        } catch (DataAccessException e) {
            log.warn("Renewing the instance lease failed; trying again in {} (the lease lasts until {})",
                    renewInterval(), heldUntil, e);
        }
    }

    /** The scheduled check: with less than a renewal interval of the lease left, it counts as lost. */
    void checkHeld() {
        Instant until = heldUntil;
        if (until != null && !clock.instant().isBefore(until.minus(renewInterval()))) {
            lost("it could not be renewed and expires at " + until);
        }
    }

    private synchronized void lost(String why) {
        if (heldUntil == null) {
            return; // released meanwhile, or reported already
        }
        heldUntil = null;
        cancelTasks();
        log.error("Instance lease lost: {}. Another Failfast instance may own this database now; stopping this one "
                + "at once, without writing anything more, so that the other alone settles the batches", why);
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
            client.sql("DELETE FROM instance_lease WHERE id = 1 AND owner = ?").param(owner).update();
        } catch (DataAccessException e) {
            log.warn("Releasing the instance lease failed; it expires by itself within {}", ttl, e);
        }
    }

    private void cancelTasks() {
        for (ScheduledFuture<?> task : new ScheduledFuture<?>[] {renewal, watch}) {
            if (task != null) {
                task.cancel(false);
            }
        }
        renewal = null;
        watch = null;
    }

    private Duration renewInterval() {
        return ttl.dividedBy(3);
    }

    private static Holder holder(ResultSet rs, int row) throws SQLException {
        return new Holder(rs.getString("owner"), rs.getObject("expires_at", OffsetDateTime.class).toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
