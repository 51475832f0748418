package dev.failfast.config;

import dev.failfast.metrics.WorkerMetrics;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.worker.InMemoryRemoteAttempts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * Remote workers (docs/workers.md): the registry that pairs remote attempts with workers,
 * its lease sweep and its meters.
 */
@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    /** How many times per lease the registry looks for lapsed ones. */
    private static final int SWEEPS_PER_LEASE = 5;

    @Bean
    WorkerMetrics workerMetrics(MeterRegistry registry) {
        return new WorkerMetrics(registry);
    }

    @Bean(destroyMethod = "close")
    InMemoryRemoteAttempts remoteAttempts(Clock clock, FailfastProperties properties, WorkerMetrics metrics,
            @Qualifier("failfastTimerScheduler") TaskScheduler scheduler) {
        FailfastProperties.Workers settings = properties.workers();
        var attempts = new InMemoryRemoteAttempts(clock, settings, metrics);
        metrics.watch(attempts);
        var _ = scheduler.scheduleWithFixedDelay(() -> {
            attempts.expireLapsedLeases();
            metrics.refresh(attempts);
        }, settings.leaseTtl().dividedBy(SWEEPS_PER_LEASE).plus(Duration.ofMillis(1)));
        return attempts;
    }

}
