package dev.failfast.config;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.store.InstanceLease;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.NotificationStore;
import dev.failfast.store.WriteFence;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The threads jobs and timers run on, the clock and the store;
 * {@link EngineModeConfiguration} does the rest.
 */
@Configuration(proxyBeanMethods = false)
class EngineConfiguration {

    /**
     * UTC, to the microsecond: what the database's timestamp columns keep. An instant
     * read back then equals the one written, whether a read is served from the
     * write-behind buffer, a column or the JSON text beside it (a past run's cause, an
     * attempt's start).
     */
    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }

    /**
     * The pool jobs run on. Its queue has room for every attempt the engine may hand over
     * plus one per thread: a thread that just reported its job finished may not yet be
     * back in the pool when the engine hands over the next attempt, and that hand-over
     * must never be refused.
     *
     * <p>
     * It keeps accepting tasks after the context starts closing: the engine stops first
     * (see {@code BatchEngine#stop}) and cancels what runs, then the pool waits for its
     * threads.
     */
    @Bean(name = "failfastJobExecutor")
    ThreadPoolTaskExecutor failfastJobExecutor(FailfastProperties properties) {
        FailfastProperties.Executor settings = properties.executor();
        var executor = new ThreadPoolTaskExecutor();
        // Threads beyond the pool for attempts abandoned while they ignore their
        // cancellation.
        executor.setCorePoolSize(settings.poolSize() + settings.maxAbandoned());
        executor.setMaxPoolSize(settings.poolSize() + settings.maxAbandoned());
        // Idle threads end after a minute, so the spare ones exist only while they are
        // needed.
        executor.setAllowCoreThreadTimeOut(true);
        executor.setQueueCapacity(settings.dispatchCapacity());
        executor.setThreadNamePrefix(settings.threadNamePrefix());
        executor.setAcceptTasksAfterContextClose(true);
        executor.setWaitForTasksToCompleteOnShutdown(true);
        executor.setAwaitTerminationMillis(settings.awaitTermination().toMillis());
        return executor;
    }

    /** Timers: job timeouts, batch deadlines, retry backoffs and cancel grace periods. */
    @Bean(name = "failfastTimerScheduler")
    ThreadPoolTaskScheduler failfastTimerScheduler(FailfastProperties properties, Clock clock) {
        var scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(properties.engine().schedulerPoolSize());
        scheduler.setThreadNamePrefix("failfast-timer-");
        scheduler.setClock(clock);
        // Most timers (job timeouts) are cancelled; drop them at once instead of at their
        // due time.
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setAcceptTasksAfterContextClose(true);
        return scheduler;
    }

    /**
     * The store chosen by {@code failfast.store.type}: the JDBC store on the configured
     * DataSource (its schema migrated by Flyway first), or the in-memory one. Closing it
     * on shutdown writes the changes it still buffers. Its writes are fenced by the
     * instance lease: they commit only while this process holds it.
     */
    @Bean
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    BatchStore batchStore(FailfastProperties properties, ObjectProvider<DataSource> dataSource, JsonMapper jsonMapper,
            ObjectProvider<InstanceLease> lease, NotificationStore outbox) {
        FailfastProperties.Store settings = properties.store();
        return switch (settings.type()) {
            case MEMORY -> new InMemoryBatchStore(outbox);
            // Fenced by the instance lease; none in cluster mode, where replicas fence
            // their own writes.
            case JDBC -> new JdbcBatchStore(dataSource.getObject(), jsonMapper, settings.flushInterval(),
                    settings.flushBatchSize(),
                    lease.stream().findFirst().map(InstanceLease::fence).orElse(WriteFence.NONE), outbox);
        };
    }

    /**
     * Renews the instance lease, apart from the job timers, so a slow database holds up
     * neither.
     */
    @Bean(name = "failfastLeaseScheduler")
    ThreadPoolTaskScheduler failfastLeaseScheduler(Clock clock) {
        var scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(2); // a renewal waiting for the database must not delay the
                                  // expiry check
        scheduler.setThreadNamePrefix("failfast-lease-");
        scheduler.setClock(clock);
        return scheduler;
    }

}
