package dev.failfast.engine;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes terminal batches (with their jobs and idempotency keys) once they finished
 * longer than {@code failfast.retention.ttl} ago, every
 * {@code failfast.retention.purge-interval}.
 *
 * <p>
 * The purge runs on a thread of its own ({@code failfast-retention}), not on the timer
 * pool: a cascading DELETE of many jobs, or one that waits for a row lock, must hold up
 * no job timeout, deadline or grace period (nor, in the store, any flush).
 */
@Component
class BatchRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BatchRetention.class);

    private final BatchStore store;

    private final Clock clock;

    private final Duration ttl;

    private final Duration interval;

    private volatile @Nullable ScheduledExecutorService thread;

    BatchRetention(BatchStore store, Clock clock, FailfastProperties properties) {
        this.store = store;
        this.clock = clock;
        this.ttl = properties.retention().ttl();
        this.interval = properties.retention().purgeInterval();
    }

    /** Deletes what is past its time now; returns how many batches. */
    int purge() {
        int deleted = store.deleteFinishedBefore(clock.instant().minus(ttl));
        if (deleted > 0) {
            log.info("Retention: deleted {} batches that finished more than {} ago", deleted, ttl);
        }
        return deleted;
    }

    private void purgeQuietly() {
        try {
            purge();
        }
        catch (RuntimeException e) {
            log.warn("Retention purge failed; trying again in {}", interval, e);
        }
    }

    @Override
    // purgeQuietly catches every failure; shutdown() ends the schedule.
    @SuppressWarnings("FutureReturnValueIgnored")
    public void start() {
        var purger = Executors
            .newSingleThreadScheduledExecutor(Thread.ofPlatform().name("failfast-retention").daemon().factory());
        purger.scheduleAtFixedRate(this::purgeQuietly, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        thread = purger;
    }

    /**
     * Stops the purges; one under way is not interrupted (a daemon thread, it does not
     * keep the JVM up).
     */
    @Override
    public void stop() {
        ScheduledExecutorService current = thread;
        if (current != null) {
            current.shutdown();
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

}
