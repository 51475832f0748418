package dev.failfast.engine.local;

import dev.failfast.engine.AdmissionLimit;
import dev.failfast.engine.PendingJobs;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * This process's pending jobs, in all and by tenant, counted as they are admitted,
 * started and skipped. Admission reserves its jobs under one lock, so concurrent
 * submissions cannot both pass a limit; jobs leave the counts without it (that only makes
 * room).
 */
final class CountedPendingJobs implements PendingJobs {

    private final AtomicLong total = new AtomicLong();

    /**
     * A tenant's entry goes when its count is 0: the map holds tenants with work only.
     */
    private final ConcurrentHashMap<String, Long> byTenant = new ConcurrentHashMap<>();

    @Override
    public long count() {
        return total.get();
    }

    /** The tenant's jobs waiting to start. */
    long count(String tenant) {
        return byTenant.getOrDefault(tenant, 0L);
    }

    @Override
    public synchronized @Nullable Excess tryAdd(String tenant, int jobs, long max, long tenantMax) {
        long all = total.get();
        long[] refused = { -1 };
        byTenant.compute(tenant, (key, current) -> {
            long mine = current == null ? 0 : current;
            if (mine + jobs > tenantMax || all + jobs > max) {
                refused[0] = mine;
                return current;
            }
            return mine + jobs;
        });
        if (refused[0] >= 0) {
            return refused[0] + jobs > tenantMax ? new Excess(AdmissionLimit.TENANT_PENDING_JOBS, refused[0], tenantMax)
                    : new Excess(AdmissionLimit.PENDING_JOBS, all, max);
        }
        total.addAndGet(jobs);
        return null;
    }

    @Override
    public void remove(String tenant, int jobs) {
        if (jobs == 0) {
            return;
        }
        byTenant.computeIfPresent(tenant, (key, current) -> current == jobs ? null : current - jobs);
        total.addAndGet(-jobs);
    }

    /**
     * Counts the pending jobs of a batch resumed after a restart, whatever the limits.
     */
    void resumed(String tenant, int jobs) {
        if (jobs == 0) {
            return;
        }
        byTenant.merge(tenant, (long) jobs, Long::sum);
        total.addAndGet(jobs);
    }

}
