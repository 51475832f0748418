package dev.failfast.engine;

import dev.failfast.config.FailfastProperties;
import dev.failfast.store.BatchStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Deletes terminal batches (with their jobs and idempotency keys) once they finished longer than
 * {@code failfast.retention.ttl} ago, every {@code failfast.retention.purge-interval}.
 */
@Component
class BatchRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BatchRetention.class);

    private final BatchStore store;
    private final TaskScheduler scheduler;
    private final Clock clock;
    private final Duration ttl;
    private final Duration interval;
    private volatile @Nullable ScheduledFuture<?> task;

    BatchRetention(BatchStore store, @Qualifier("failfastTimerScheduler") TaskScheduler scheduler, Clock clock,
            FailfastProperties properties) {
        this.store = store;
        this.scheduler = scheduler;
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
        } catch (RuntimeException e) {
            log.warn("Retention purge failed; trying again in {}", interval, e);
        }
    }

    @Override
    public void start() {
        task = scheduler.scheduleAtFixedRate(this::purgeQuietly, clock.instant().plus(interval), interval);
    }

    @Override
    public void stop() {
        ScheduledFuture<?> current = task;
        if (current != null) {
            current.cancel(false);
        }
        task = null;
    }

    @Override
    public boolean isRunning() {
        return task != null;
    }
}
