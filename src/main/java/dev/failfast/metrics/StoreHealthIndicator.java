package dev.failfast.metrics;

import dev.failfast.store.BatchQuery;
import dev.failfast.store.BatchStore;
import dev.failfast.store.PageRequest;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the batch store ({@code batchStore} in the readiness group): UP when a
 * one-row read of the batch list succeeds, DOWN with the error otherwise. Works for any
 * store implementation; a database store answers it with a real query.
 */
@Component("batchStoreHealthIndicator")
class StoreHealthIndicator implements HealthIndicator {

    private static final PageRequest ONE = new PageRequest(0, 1);

    private final BatchStore store;

    StoreHealthIndicator(BatchStore store) {
        this.store = store;
    }

    @Override
    public Health health() {
        try {
            store.findBatches(BatchQuery.ALL, ONE);
            return Health.up().withDetail("store", AopUtils.getTargetClass(store).getSimpleName()).build();
        }
        catch (RuntimeException e) {
            return Health.down(e).build();
        }
    }

}
