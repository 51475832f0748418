package dev.failfast.engine;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.settings.FailfastProperties.TenantLimits;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's limits ({@code failfast.tenants.*}) and the token buckets of its batches
 * per minute. A bucket holds up to {@code batches-per-minute} tokens and refills them
 * evenly over the minute (Bucket4j's greedy refill), so a tenant may submit a burst of a
 * minute's worth and then one batch every {@code 60s / batches-per-minute}.
 *
 * <p>
 * The buckets are this process's: in cluster mode each replica keeps its own, so a tenant
 * whose submissions spread over n replicas gets up to n times its rate. One bucket per
 * tenant that ever submitted here, a few hundred bytes each.
 */
final class TenantQuotas {

    private final FailfastProperties.Tenants tenants;

    private final long globalMaxPendingJobs;

    private final TimeMeter time;

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    TenantQuotas(FailfastProperties properties, Clock clock) {
        this.tenants = properties.tenants();
        this.globalMaxPendingJobs = properties.limits().maxPendingJobs();
        this.time = new ClockTime(clock);
    }

    TenantLimits limits(String tenant) {
        return tenants.of(tenant, globalMaxPendingJobs);
    }

    /**
     * Takes one of the tenant's batch tokens.
     * @throws AdmissionRejectedException when it has none left, with the time until its
     * next token (in whole seconds, rounded up) as the retry delay
     */
    void takeBatchToken(String tenant) {
        int perMinute = limits(tenant).batchesPerMinute();
        ConsumptionProbe probe = buckets.computeIfAbsent(tenant, key -> bucket(perMinute))
            .tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            Duration retryAfter = wholeSecondsAtLeastOne(probe.getNanosToWaitForRefill());
            throw new AdmissionRejectedException(
                    "Tenant %s is over its limit of %d batches per minute; its next batch is accepted in %d s"
                        .formatted(tenant, perMinute, retryAfter.toSeconds()),
                    retryAfter, AdmissionLimit.TENANT_BATCHES_PER_MINUTE, tenant);
        }
    }

    /** Gives back a token taken for a batch that was refused or not stored after all. */
    void giveBackBatchToken(String tenant) {
        Bucket bucket = buckets.get(tenant);
        if (bucket != null) {
            bucket.addTokens(1);
        }
    }

    private Bucket bucket(int perMinute) {
        return Bucket.builder()
            .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
            .withCustomTimePrecision(time)
            .build();
    }

    /**
     * Rounded up: a client that waits exactly the {@code Retry-After} it was sent finds a
     * token.
     */
    static Duration wholeSecondsAtLeastOne(long nanos) {
        long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    /** The injected clock as Bucket4j's time, so tests can move it. */
    private record ClockTime(Clock clock) implements TimeMeter {

        @Override
        public long currentTimeNanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }

    }

}
