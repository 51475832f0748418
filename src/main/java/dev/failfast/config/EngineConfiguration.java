package dev.failfast.config;

import dev.failfast.store.BatchStore;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.store.InstanceLease;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.JdbcInstanceLease;
import dev.failfast.store.NoInstanceLease;
import dev.failfast.store.NodeLease;
import dev.failfast.store.WriteFence;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.DatabaseMetaData;
import java.time.Clock;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/** The threads jobs and timers run on, the clock, the store and its instance lease. */
@Configuration(proxyBeanMethods = false)
class EngineConfiguration {

    /** Exit status of a process that halted because it lost its instance lease (EX_TEMPFAIL). */
    static final int LEASE_LOST_EXIT_CODE = 75;

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The pool jobs run on. Its queue has room for every attempt the engine may hand over plus
     * one per thread: a thread that just reported its job finished may not yet be back in the
     * pool when the engine hands over the next attempt, and that hand-over must never be refused.
     *
     * <p>It keeps accepting tasks after the context starts closing: the engine stops first (see
     * {@code BatchEngine#stop}) and cancels what runs, then the pool waits for its threads.
     */
    @Bean(name = "failfastJobExecutor")
    ThreadPoolTaskExecutor failfastJobExecutor(FailfastProperties properties) {
        FailfastProperties.Executor settings = properties.executor();
        var executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(settings.poolSize());
        executor.setMaxPoolSize(settings.poolSize());
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
        // Most timers (job timeouts) are cancelled; drop them at once instead of at their due time.
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setAcceptTasksAfterContextClose(true);
        return scheduler;
    }

    /**
     * The store chosen by {@code failfast.store.type}: the JDBC store on the configured DataSource
     * (its schema migrated by Flyway first), or the in-memory one. Closing it on shutdown writes
     * the changes it still buffers. Its writes are fenced by the instance lease: they commit only
     * while this process holds it.
     */
    @Bean
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    BatchStore batchStore(FailfastProperties properties, ObjectProvider<DataSource> dataSource, JsonMapper jsonMapper,
            ObjectProvider<InstanceLease> lease) {
        FailfastProperties.Store settings = properties.store();
        return switch (settings.type()) {
            case MEMORY -> new InMemoryBatchStore();
            // Fenced by the instance lease; none in cluster mode, where replicas fence their own writes.
            case JDBC -> new JdbcBatchStore(dataSource.getObject(), jsonMapper, settings.flushInterval(),
                    settings.flushBatchSize(), lease.stream().findFirst().map(InstanceLease::fence)
                            .orElse(WriteFence.NONE));
        };
    }

    /**
     * The lease that keeps a second instance off the database the store is in: a row in it for a
     * shared database such as PostgreSQL. The in-memory store needs none, and neither does an
     * embedded H2 database, which only the process that opened it can use (so a restart after a
     * crash does not wait for a lease). Losing the lease halts the process: see {@link
     * JdbcInstanceLease}.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "failfast.cluster.enabled", havingValue = "false", matchIfMissing = true)
    @DependsOnDatabaseInitialization
    InstanceLease instanceLease(FailfastProperties properties, ObjectProvider<DataSource> dataSource,
            @Qualifier("failfastLeaseScheduler") TaskScheduler scheduler, Clock clock) {
        FailfastProperties.Store settings = properties.store();
        return switch (settings.type()) {
            case MEMORY -> new NoInstanceLease();
            case JDBC -> isEmbeddedH2(dataSource.getObject())
                    ? new NoInstanceLease()
                    : new JdbcInstanceLease(dataSource.getObject(), scheduler, clock, settings.leaseTtl(),
                            () -> Runtime.getRuntime().halt(LEASE_LOST_EXIT_CODE));
        };
    }

    /**
     * Cluster mode: this replica's lease, a row of its own that it renews and that the other
     * replicas watch. Losing it halts the process, like losing the instance lease.
     *
     * @throws IllegalStateException when the store is not in PostgreSQL: embedded H2 runs a single instance
     */
    @Bean
    @ConditionalOnProperty(name = "failfast.cluster.enabled", havingValue = "true")
    @DependsOnDatabaseInitialization
    NodeLease nodeLease(FailfastProperties properties, ObjectProvider<DataSource> dataSource,
            @Qualifier("failfastLeaseScheduler") TaskScheduler scheduler, Clock clock) {
        DataSource database = requirePostgres(properties, dataSource);
        String name = properties.cluster().nodeName().isBlank() ? hostName() : properties.cluster().nodeName();
        String node = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new NodeLease(database, scheduler, clock, properties.store().leaseTtl(), node,
                () -> Runtime.getRuntime().halt(LEASE_LOST_EXIT_CODE));
    }

    @Bean
    @ConditionalOnProperty(name = "failfast.cluster.enabled", havingValue = "true")
    @DependsOnDatabaseInitialization
    ClusterStore clusterStore(FailfastProperties properties, ObjectProvider<DataSource> dataSource, JsonMapper jsonMapper) {
        return new ClusterStore(requirePostgres(properties, dataSource), jsonMapper);
    }

    private static DataSource requirePostgres(FailfastProperties properties, ObjectProvider<DataSource> dataSource) {
        String url = properties.store().type() == FailfastProperties.StoreType.JDBC
                ? url(dataSource.getObject()) : "the in-memory store";
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalStateException(("failfast.cluster.enabled=true needs the store in PostgreSQL, but it is in "
                    + "%s. Embedded H2 and the in-memory store run a single instance: turn cluster mode off, or use "
                    + "PostgreSQL (profile \"postgres\")").formatted(url));
        }
        return dataSource.getObject();
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "node";
            }
        }
        return host.length() > 40 ? host.substring(0, 40) : host;
    }

    /** Renews the instance lease, apart from the job timers, so a slow database holds up neither. */
    @Bean(name = "failfastLeaseScheduler")
    ThreadPoolTaskScheduler failfastLeaseScheduler(Clock clock) {
        var scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(2); // a renewal waiting for the database must not delay the expiry check
        scheduler.setThreadNamePrefix("failfast-lease-");
        scheduler.setClock(clock);
        return scheduler;
    }

    private static String url(DataSource dataSource) {
        try {
            return JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getURL);
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("Cannot tell which database the store is in", e);
        }
    }

    private static boolean isEmbeddedH2(DataSource dataSource) {
        String lower = url(dataSource).toLowerCase(Locale.ROOT);
        return lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:tcp:") && !lower.startsWith("jdbc:h2:ssl:")
                && !lower.contains("auto_server=true");
    }
}
