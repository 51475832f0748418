package dev.failfast.metrics;

import dev.failfast.config.FailfastProperties;
import dev.failfast.engine.BatchEngine;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the engine ({@code engine} in the readiness group): OUT_OF_SERVICE while it drains
 * on shutdown and accepts no batches, and while the pending-jobs limit is reached, when every new
 * batch would be refused with 429. Taking the instance out of the load balancer then sends new
 * batches to instances that can run them.
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
        } else if (pending >= limits.maxPendingJobs()) {
            health = Health.outOfService().withDetail("reason", "saturated: the pending-jobs limit is reached");
        } else {
            health = Health.up();
        }
        return health.withDetail("activeBatches", engine.activeBatches())
                .withDetail("pendingJobs", pending)
                .withDetail("maxPendingJobs", limits.maxPendingJobs())
                .withDetail("attemptsInFlight", engine.attemptsInFlight())
                .build();
    }
}
