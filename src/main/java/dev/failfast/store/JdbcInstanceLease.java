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
 * <p>"Now" is the engine's clock, compared with the expiry another instance wrote: instances on
 * different hosts need clocks in sync to well within the ttl.
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
    private final String owner = UUID.randomUUID().toString();
    private volatile @Nullable ScheduledFuture<?> renewal;

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param scheduler runs the renewals
     * @param ttl how long the lease lasts unless renewed: the longest a restart after a crash waits
     */
    public JdbcInstanceLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl) {
        this(dataSource, scheduler, clock, ttl, Thread::sleep);
    }

    JdbcInstanceLease(DataSource dataSource, TaskScheduler scheduler, Clock clock, Duration ttl, Waiter waiter) {
        this.client = JdbcClient.create(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.scheduler = scheduler;
        this.clock = clock;
        this.ttl = ttl;
        this.waiter = waiter;
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
        cancelRenewal();
        renewal = scheduler.scheduleAtFixedRate(this::renewQuietly, scheduler.getClock().instant().plus(interval),
                interval);
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
                    return null;
                }
                if (!holder.owner().equals(owner) && holder.expiresAt().isAfter(now)) {
                    return holder;
                }
                client.sql("UPDATE instance_lease SET owner = ?, acquired_at = ?, expires_at = ? WHERE id = 1")
                        .params(owner, utc(now), utc(now.plus(ttl))).update();
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
        int renewed = client.sql("UPDATE instance_lease SET expires_at = ? WHERE id = 1 AND owner = ?")
                .params(utc(clock.instant().plus(ttl)), owner).update();
        if (renewed == 0) {
            log.error("Instance lease lost: it expired before it was renewed and another Failfast instance may have "
                    + "taken over this database; two instances may now run the same batches");
        }
        return renewed > 0;
    }

    private void renewQuietly() {
        try {
            if (!renew()) {
                cancelRenewal();
            }
        } catch (DataAccessException e) {
            log.warn("Renewing the instance lease failed; trying again in {}", renewInterval(), e);
        }
    }

    @Override
    public void release() {
        cancelRenewal();
        try {
            client.sql("DELETE FROM instance_lease WHERE id = 1 AND owner = ?").param(owner).update();
        } catch (DataAccessException e) {
            log.warn("Releasing the instance lease failed; it expires by itself within {}", ttl, e);
        }
    }

    private void cancelRenewal() {
        ScheduledFuture<?> current = renewal;
        if (current != null) {
            current.cancel(false);
        }
        renewal = null;
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
