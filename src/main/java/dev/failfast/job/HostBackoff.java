package dev.failfast.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hosts that asked a tenant to wait ({@code 429}/{@code 503} with {@code Retry-After}),
 * and until when, so that the tenant's other jobs to that host wait too instead of
 * calling it at once. Kept per tenant, since rate limits are usually per client
 * credential. Entries expire with their wait; the map is bounded.
 */
final class HostBackoff {

    private static final int MAX_ENTRIES = 10_000;

    private record Key(String tenant, String host) {
    }

    private final Map<Key, Instant> notBefore = new ConcurrentHashMap<>();

    /** How long {@code tenant} must still wait before calling {@code host}, if at all. */
    Optional<Duration> remaining(String tenant, String host, Instant now) {
        Key key = new Key(tenant, host);
        Instant until = notBefore.get(key);
        if (until == null) {
            return Optional.empty();
        }
        if (!until.isAfter(now)) {
            notBefore.remove(key, until);
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, until));
    }

    /** Remembers that {@code host} asked {@code tenant} to wait until {@code until}. */
    void waitUntil(String tenant, String host, Instant until, Instant now) {
        if (notBefore.size() >= MAX_ENTRIES) {
            notBefore.values().removeIf(instant -> !instant.isAfter(now));
            if (notBefore.size() >= MAX_ENTRIES) {
                return; // still full of live waits: this one is only not shared
            }
        }
        notBefore.merge(new Key(tenant, host), until, (a, b) -> a.isAfter(b) ? a : b);
    }

}
