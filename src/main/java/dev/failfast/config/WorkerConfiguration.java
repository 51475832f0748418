package dev.failfast.config;

import dev.failfast.metrics.WorkerMetrics;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.NodeLease;
import dev.failfast.worker.InMemoryRemoteAttempts;
import dev.failfast.worker.JdbcRemoteAttempts;
import dev.failfast.worker.RemoteAttempts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Remote workers (docs/workers.md): the registry that pairs remote attempts with workers,
 * its lease sweep and its meters. In memory on a single instance; in PostgreSQL, shared
 * by the replicas, in cluster mode (docs/cluster.md#remote-workers-in-cluster-mode).
 */
@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    /** How many times per lease the registry looks for lapsed ones. */
    private static final int SWEEPS_PER_LEASE = 5;

    @Bean
    WorkerMetrics workerMetrics(MeterRegistry registry) {
        return new WorkerMetrics(registry);
    }

    private static Duration sweepInterval(FailfastProperties.Workers settings) {
        return settings.leaseTtl().dividedBy(SWEEPS_PER_LEASE).plus(Duration.ofMillis(1));
    }

    /** A single instance: the registry lives as long as the process. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "failfast.cluster.enabled", havingValue = false, matchIfMissing = true)
    static class SingleInstance {

        @Bean(destroyMethod = "close")
        InMemoryRemoteAttempts remoteAttempts(Clock clock, FailfastProperties properties, WorkerMetrics metrics,
                @Qualifier("failfastTimerScheduler") TaskScheduler scheduler) {
            FailfastProperties.Workers settings = properties.workers();
            var attempts = new InMemoryRemoteAttempts(clock, settings, metrics);
            metrics.watch(attempts);
            var _ = scheduler.scheduleWithFixedDelay(() -> {
                attempts.expireLapsedLeases();
                metrics.refresh(attempts);
            }, sweepInterval(settings));
            return attempts;
        }

    }

    /**
     * A cluster replica: the registry is in the cluster's database, and this replica's
     * offers are owned by its node id. Every replica sweeps lapsed leases and lost
     * replicas' attempts, and catches up on missed notices every cluster poll interval.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "failfast.cluster.enabled")
    static class ClusterReplica {

        @Bean(destroyMethod = "close")
        @DependsOnDatabaseInitialization
        JdbcRemoteAttempts remoteAttempts(DataSource dataSource, JsonMapper jsonMapper, Clock clock,
                FailfastProperties properties, NodeLease lease, WorkerMetrics metrics,
                @Qualifier("failfastTimerScheduler") TaskScheduler scheduler) {
            FailfastProperties.Workers settings = properties.workers();
            Duration pollInterval = properties.cluster().pollInterval();
            var attempts = new JdbcRemoteAttempts(dataSource, jsonMapper, clock, settings, lease.node(), pollInterval,
                    properties.engine().cancelGrace().plus(RemoteAttempts.ABANDON_MARGIN), metrics);
            attempts.start();
            metrics.watch(attempts);
            var _ = scheduler.scheduleWithFixedDelay(() -> {
                attempts.expireLapsedLeases();
                metrics.refresh(attempts);
            }, sweepInterval(settings));
            var _ = scheduler.scheduleWithFixedDelay(attempts::catchUp, pollInterval);
            return attempts;
        }

    }

}
