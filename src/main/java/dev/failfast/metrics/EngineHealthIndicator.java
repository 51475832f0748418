package dev.failfast.metrics;

import dev.failfast.engine.BatchEngine;
import dev.failfast.settings.FailfastProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the engine ({@code engine} in the readiness group): OUT_OF_SERVICE while
 * it drains on shutdown and accepts no batches. Reaching the pending-jobs limit does not
 * take it out of service: Failfast runs one instance per database, so there is no other
 * instance to send traffic to, and clients must still read statuses, follow streams and
 * cancel while new batches get 429. The detail {@code saturated} (and the metrics) show
 * it. Threads stuck in abandoned attempts up to {@code failfast.executor.max-abandoned}
 * do the same ({@code abandonedThreadsSaturated}): the service still answers, and takes
 * new batches again as soon as a stuck thread returns.
 */
@Component("engineHealthIndicator")
class EngineHealthIndicator implements HealthIndicator {

    private final BatchEngine engine;

    private final FailfastProperties.Limits limits;

    EngineHealthIndicator(BatchEngine engine, FailfastProperties properties) {
        this.engine = engine;
        this.limits = properties.limits();
    }

    @Override
    public Health health() {
        long pending = engine.pendingJobs();
        Health.Builder health;
        if (!engine.isAccepting()) {
            health = Health.outOfService().withDetail("reason", "shutting down: accepts no new batches");
        }
        else {
            health = Health.up();
        }
        return health
            .withDetail("saturated", pending >= limits.maxPendingJobs() || engine.isSaturatedByAbandonedThreads())
            .withDetail("abandonedThreads", engine.abandonedThreads())
            .withDetail("abandonedThreadsSaturated", engine.isSaturatedByAbandonedThreads())
            .withDetail("activeBatches", engine.activeBatches())
            .withDetail("pendingJobs", pending)
            .withDetail("maxPendingJobs", limits.maxPendingJobs())
            .withDetail("attemptsInFlight", engine.attemptsInFlight())
            .build();
    }

}
