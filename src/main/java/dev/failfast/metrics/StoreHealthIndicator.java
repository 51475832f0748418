package dev.failfast.metrics;

import dev.failfast.store.BatchStore;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the batch store ({@code batchStore} in the readiness group): UP when
 * {@link BatchStore#checkAvailable()} succeeds, DOWN with the error otherwise.
 *
 * <p>
 * The probe answers anyone, so it must cost nothing whatever the store holds: the check
 * is one constant-time query (no flush of the write-behind buffer, no count of batches or
 * jobs), its answer is kept for {@link #CACHE_FOR}, and one probe checks at a time. A
 * probe that finds a check still running answers with the last result, or DOWN once that
 * check has run longer than {@link #CACHE_FOR}: a database that hangs is reported down,
 * not hidden behind the last UP. Before the first check has answered the probe is DOWN: a
 * replica is not ready before its store was ever checked.
 */
@Component("batchStoreHealthIndicator")
class StoreHealthIndicator implements HealthIndicator {

    static final Duration CACHE_FOR = Duration.ofSeconds(1);

    private final BatchStore store;

    private final ReentrantLock checking = new ReentrantLock();

    private volatile @Nullable Checked last;

    /**
     * The check running now, or null: one reference, so a probe never pairs a check's
     * start with another check's running flag.
     */
    private volatile @Nullable Running running;

    StoreHealthIndicator(BatchStore store) {
        this.store = store;
    }

    @Override
    public Health health() {
        long now = System.nanoTime();
        Checked cached = last;
        if (cached != null && now - cached.atNanos() < CACHE_FOR.toNanos()) {
            return cached.health();
        }
        if (!checking.tryLock()) {
            Running check = running;
            long runningFor = check == null ? 0 : now - check.startedAtNanos();
            if (runningFor > CACHE_FOR.toNanos()) {
                return Health.down()
                    .withDetail("error", "the store has not answered for " + Duration.ofNanos(runningFor))
                    .build();
            }
            return cached != null ? cached.health()
                    : Health.down().withDetail("error", "the store's first check has not answered yet").build();
        }
        try {
            running = new Running(now);
            Health health = check();
            last = new Checked(health, System.nanoTime());
            return health;
        }
        finally {
            running = null;
            checking.unlock();
        }
    }

    private Health check() {
        try {
            store.checkAvailable();
            return Health.up().withDetail("store", AopUtils.getTargetClass(store).getSimpleName()).build();
        }
        catch (RuntimeException e) {
            return Health.down(e).build();
        }
    }

    private record Checked(Health health, long atNanos) {
    }

    /**
     * A check under way, since a {@link System#nanoTime()}: the cache measures elapsed
     * time, which the service's Clock (fixed in some tests, and free to jump) does not.
     */
    private record Running(long startedAtNanos) {
    }

}
