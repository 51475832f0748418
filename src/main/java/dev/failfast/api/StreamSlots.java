package dev.failfast.api;

import dev.failfast.engine.LimitExceededException;
import dev.failfast.settings.FailfastProperties;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The caps on open event streams ({@code failfast.streams.max-open} and
 * {@code max-open-per-tenant}): a stream takes a slot before it opens and gives it back
 * once, however it ends. The counts are this process's; in cluster mode each replica caps
 * its own streams, which hold its own connections.
 */
@Component
class StreamSlots {

    private final int maxOpen;

    private final int maxOpenPerTenant;

    private final Duration retryAfter;

    private final AtomicInteger open = new AtomicInteger();

    /** Streams open per tenant; a tenant with none has no entry. */
    private final ConcurrentHashMap<String, Integer> openByTenant = new ConcurrentHashMap<>();

    private final Map<StreamLimit, AtomicLong> refused = new EnumMap<>(StreamLimit.class);

    StreamSlots(FailfastProperties properties) {
        this.maxOpen = properties.streams().maxOpen();
        this.maxOpenPerTenant = properties.streams().maxOpenPerTenant();
        this.retryAfter = properties.limits().retryAfter();
        for (StreamLimit limit : StreamLimit.values()) {
            refused.put(limit, new AtomicLong());
        }
    }

    /**
     * Takes a slot for a stream of a caller of {@code tenant}.
     * @throws LimitExceededException when as many streams are open as a cap allows
     */
    Slot take(String tenant) {
        if (open.incrementAndGet() > maxOpen) {
            open.decrementAndGet();
            countRefusal(StreamLimit.OPEN_STREAMS);
            throw new LimitExceededException(
                    "As many event streams are open as the service allows (" + maxOpen + "); try again later",
                    StreamLimit.OPEN_STREAMS, null, retryAfter);
        }
        var taken = new boolean[1];
        openByTenant.compute(tenant, (key, count) -> {
            int now = count == null ? 0 : count;
            taken[0] = now < maxOpenPerTenant;
            return taken[0] ? Integer.valueOf(now + 1) : count;
        });
        if (!taken[0]) {
            open.decrementAndGet();
            countRefusal(StreamLimit.TENANT_OPEN_STREAMS);
            throw new LimitExceededException("Tenant " + tenant + " has as many event streams open as it may ("
                    + maxOpenPerTenant + "); close one or try again later", StreamLimit.TENANT_OPEN_STREAMS, tenant,
                    retryAfter);
        }
        return new Slot(tenant);
    }

    private void countRefusal(StreamLimit limit) {
        Objects.requireNonNull(refused.get(limit)).incrementAndGet();
    }

    /** Streams refused so far because they would have gone over {@code limit}. */
    long refused(StreamLimit limit) {
        return Objects.requireNonNull(refused.get(limit)).get();
    }

    /** The most streams open at once, over all tenants. */
    int maxOpen() {
        return maxOpen;
    }

    /** Streams open now, over all tenants. */
    int open() {
        return open.get();
    }

    /** Streams of {@code tenant}'s callers open now. */
    int open(String tenant) {
        return openByTenant.getOrDefault(tenant, 0);
    }

    /** One open stream's place; {@link #release} gives it back, the first time only. */
    final class Slot {

        private final String tenant;

        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String tenant) {
            this.tenant = tenant;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                openByTenant.computeIfPresent(tenant, (key, count) -> count > 1 ? Integer.valueOf(count - 1) : null);
                open.decrementAndGet();
            }
        }

    }

}
