package dev.failfast.store;

import dev.failfast.batch.NotificationEvent;
import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tenant's standing subscription: every batch of the tenant notifies {@code url} of
 * {@code events}.
 *
 * @param secret the Standard Webhooks secret that signs its deliveries. Never shown after
 * it was created or rotated
 * @param previousSecret the secret it replaced at its last rotation, which signs too
 * until {@code previousSecretExpiresAt}, so that receivers can switch without losing a
 * delivery; null when there is none
 */
public record Subscription(UUID id, String tenant, URI url, Set<NotificationEvent> events, ObjectNode headers,
        String secret, @Nullable String previousSecret, @Nullable Instant previousSecretExpiresAt, Instant createdAt,
        String createdBy) {

    public Subscription {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        events = Set.copyOf(EnumSet.copyOf(events));
    }

    /** The secrets that sign a delivery at {@code now}: the current one first. */
    public List<String> signingSecrets(Instant now) {
        if (previousSecret == null || previousSecretExpiresAt == null || !now.isBefore(previousSecretExpiresAt)) {
            return List.of(secret);
        }
        return List.of(secret, previousSecret);
    }

    /**
     * This subscription signing with {@code next}, and with its current secret until
     * {@code until}.
     */
    public Subscription rotated(String next, Instant until) {
        return new Subscription(id, tenant, url, events, headers, next, secret, until, createdAt, createdBy);
    }

    @Override
    public String toString() {
        return "Subscription[id=" + id + ", tenant=" + tenant + ", host=" + url.getHost() + ", events=" + events + "]";
    }

}
