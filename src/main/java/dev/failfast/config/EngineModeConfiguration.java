package dev.failfast.config;

import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.BatchEventListener;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.BatchRunner;
import dev.failfast.engine.Deferrals;
import dev.failfast.engine.EngineFrontDoor;
import dev.failfast.engine.FeedListener;
import dev.failfast.engine.cluster.ClusterEventRelay;
import dev.failfast.engine.cluster.ClusterRunner;
import dev.failfast.engine.local.LocalEventFeed;
import dev.failfast.engine.local.LocalRunner;
import dev.failfast.job.JobHandlers;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.InstanceLease;
import dev.failfast.store.JdbcInstanceLease;
import dev.failfast.store.NoInstanceLease;
import dev.failfast.store.NodeLease;
import dev.failfast.store.NotificationStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.DatabaseMetaData;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place that decides the engine's mode by {@code failfast.cluster.enabled}: a
 * single instance ({@link SingleInstance}: {@link LocalRunner}, the instance lease) or a
 * cluster replica ({@link ClusterReplica}: {@link ClusterRunner}, its node lease, the
 * cluster store and the event relay). Both sit behind the same front door,
 * {@link EngineFrontDoor}, the {@code BatchEngine} the API sees.
 */
@Configuration(proxyBeanMethods = false)
class EngineModeConfiguration {

    /** Exit status of a process that halted because it lost its lease (EX_TEMPFAIL). */
    static final int LEASE_LOST_EXIT_CODE = 75;

    @Bean
    EngineFrontDoor batchEngine(FailfastProperties properties, BatchStore store, BatchRunner runner, BatchEvents events,
            JobHandlers handlers, Clock clock, ApplicationEventPublisher applicationEvents) {
        return new EngineFrontDoor(properties, store, runner, events, handlers, clock, applicationEvents);
    }

    @Bean
    AttemptRunner attemptRunner(JobHandlers handlers, JsonMapper jsonMapper, FailfastProperties properties) {
        return new AttemptRunner(handlers, jsonMapper, properties.limits().maxResultSize().toBytes(),
                Deferrals.of(properties));
    }

    /** One instance per database: batches run in the process that accepted them. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "failfast.cluster.enabled", havingValue = false, matchIfMissing = true)
    static class SingleInstance {

        /**
         * Every listener gets every change, as it is made; the event feed among them,
         * which numbers the events for the streams.
         */
        @Bean
        BatchEvents batchEvents(List<BatchEventListener> listeners) {
            return new BatchEvents(listeners);
        }

        @Bean
        LocalEventFeed batchEventFeed(BatchStore store, ObjectProvider<FeedListener> listeners,
                FailfastProperties properties, Clock clock) {
            return new LocalEventFeed(store, listeners, properties, clock);
        }

        @Bean
        LocalRunner batchRunner(FailfastProperties properties, BatchStore store, InstanceLease lease,
                BatchEvents events, AttemptRunner runner, @Qualifier("failfastJobExecutor") TaskExecutor executor,
                @Qualifier("failfastTimerScheduler") TaskScheduler scheduler, Clock clock) {
            return new LocalRunner(properties, store, lease, events, runner, executor, scheduler, clock);
        }

        /**
         * The lease that keeps a second instance off the database the store is in: a row
         * in it for a shared database such as PostgreSQL. The in-memory store needs none,
         * and neither does an embedded H2 database, which only the process that opened it
         * can use (so a restart after a crash does not wait for a lease). Losing the
         * lease halts the process: see {@link JdbcInstanceLease}.
         */
        @Bean
        @ConditionalOnMissingBean
        @DependsOnDatabaseInitialization
        InstanceLease instanceLease(FailfastProperties properties, ObjectProvider<DataSource> dataSource,
                @Qualifier("failfastLeaseScheduler") TaskScheduler scheduler, Clock clock) {
            FailfastProperties.Store settings = properties.store();
            return switch (settings.type()) {
                case MEMORY -> new NoInstanceLease();
                case JDBC -> isEmbeddedH2(dataSource.getObject()) ? new NoInstanceLease()
                        : new JdbcInstanceLease(dataSource.getObject(), scheduler, clock, settings.leaseTtl(),
                                () -> Runtime.getRuntime().halt(LEASE_LOST_EXIT_CODE));
            };
        }

        private static boolean isEmbeddedH2(DataSource dataSource) {
            String lower = url(dataSource).toLowerCase(Locale.ROOT);
            return lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:tcp:")
                    && !lower.startsWith("jdbc:h2:ssl:") && !lower.contains("auto_server=true");
        }

    }

    /** Cluster mode (PostgreSQL only): every replica on the database runs every batch. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "failfast.cluster.enabled")
    static class ClusterReplica {

        /**
         * The listeners that count this replica's work (metrics, logs) get only its own
         * changes, so that summing a meter over the replicas counts each change once; the
         * event streams follow whole batches through the {@link ClusterEventRelay}.
         */
        @Bean
        BatchEvents batchEvents(List<BatchEventListener> listeners) {
            return new BatchEvents(listeners);
        }

        @Bean
        ClusterEventRelay batchEventFeed(ClusterStore cluster, ObjectProvider<FeedListener> listeners,
                FailfastProperties properties) {
            return new ClusterEventRelay(cluster, listeners, properties);
        }

        @Bean
        ClusterRunner batchRunner(FailfastProperties properties, ClusterStore cluster, NodeLease lease,
                BatchEvents events, AttemptRunner runner, DataSource dataSource,
                @Qualifier("failfastJobExecutor") TaskExecutor executor,
                @Qualifier("failfastTimerScheduler") TaskScheduler scheduler, Clock clock) {
            return new ClusterRunner(properties, cluster, lease, events, runner, dataSource, executor, scheduler,
                    clock);
        }

        /**
         * This replica's lease, a row of its own that it renews and that the other
         * replicas watch. Losing it halts the process, like losing the instance lease.
         * @throws IllegalStateException when the store is not in PostgreSQL: embedded H2
         * runs a single instance
         */
        @Bean
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
        @DependsOnDatabaseInitialization
        ClusterStore clusterStore(FailfastProperties properties, ObjectProvider<DataSource> dataSource,
                JsonMapper jsonMapper, NotificationStore outbox) {
            return new ClusterStore(requirePostgres(properties, dataSource), jsonMapper, outbox);
        }

        private static DataSource requirePostgres(FailfastProperties properties,
                ObjectProvider<DataSource> dataSource) {
            String url = properties.store().type() == FailfastProperties.StoreType.JDBC ? url(dataSource.getObject())
                    : "the in-memory store";
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalStateException(("failfast.cluster.enabled=true needs the store in PostgreSQL, but it "
                        + "is in %s. Embedded H2 and the in-memory store run a single instance: turn cluster mode off, "
                        + "or use PostgreSQL (profile \"postgres\")")
                    .formatted(url));
            }
            return dataSource.getObject();
        }

        private static String hostName() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = InetAddress.getLocalHost().getHostName();
                }
                catch (UnknownHostException e) {
                    host = "node";
                }
            }
            return host.length() > 40 ? host.substring(0, 40) : host;
        }

    }

    private static String url(DataSource dataSource) {
        try {
            return JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getURL);
        }
        catch (MetaDataAccessException e) {
            throw new IllegalStateException("Cannot tell which database the store is in", e);
        }
    }

}
