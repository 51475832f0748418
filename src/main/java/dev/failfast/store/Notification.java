package dev.failfast.store;

import dev.failfast.batch.NotificationEvent;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One event of one batch run for one target, recorded in the outbox with the change that
 * caused it, and its delivery so far.
 *
 * @param id the notification's id, sent as {@code webhook-id}: the same on every attempt,
 * so that receivers drop duplicates
 * @param target {@code batch:<index>} for a batch's own target, {@code subscription:<id>}
 * for a tenant's subscription
 * @param subscriptionId the subscription it goes to; null for a batch's own target
 * @param secret a batch target's own signing secret; null to sign with the
 * subscription's, the tenant's or the service's. Never shown
 * @param payload the body sent, as the batch stood when the event was recorded
 * @param nextAttemptAt when the next attempt is due; null once delivered or failed
 * @param giveUpAt when retries stop
 */
public record Notification(UUID id, UUID batchId, String tenant, int run, NotificationEvent event, String target,
        @Nullable UUID subscriptionId, URI url, ObjectNode headers, @Nullable String secret, String payload,
        NotificationStatus status, int attempts, @Nullable Integer lastStatus, @Nullable String lastError,
        Instant createdAt, @Nullable Instant nextAttemptAt, @Nullable Instant lastAttemptAt,
        @Nullable Instant deliveredAt, Instant giveUpAt) {

    public Notification {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(status, "status");
    }

    /** A new notification, due at once. */
    static Notification pending(UUID id, UUID batchId, String tenant, int run, NotificationEvent event, String target,
            @Nullable UUID subscriptionId, URI url, ObjectNode headers, @Nullable String secret, String payload,
            Instant at, Instant giveUpAt) {
        return new Notification(id, batchId, tenant, run, event, target, subscriptionId, url, headers, secret, payload,
                NotificationStatus.PENDING, 0, null, null, at, at, null, null, giveUpAt);
    }

    /** Delivered at {@code at}: the attempt got {@code httpStatus}, a 2xx. */
    Notification delivered(int httpStatus, Instant at) {
        return with(NotificationStatus.DELIVERED, attempts + 1, httpStatus, null, null, at, at, giveUpAt);
    }

    /**
     * An attempt failed at {@code at}: due again at {@code next}, or FAILED when that is
     * null.
     */
    Notification attemptFailed(@Nullable Integer httpStatus, String error, Instant at, @Nullable Instant next) {
        return with(next == null ? NotificationStatus.FAILED : NotificationStatus.PENDING, attempts + 1, httpStatus,
                cutError(error), next, at, null, giveUpAt);
    }

    /** Sent again: PENDING, due {@code now}, retried until {@code until}. */
    Notification resent(Instant now, Instant until) {
        return with(NotificationStatus.PENDING, attempts, lastStatus, lastError, now, lastAttemptAt, null, until);
    }

    private Notification with(NotificationStatus status, int attempts, @Nullable Integer lastStatus,
            @Nullable String lastError, @Nullable Instant nextAttemptAt, @Nullable Instant lastAttemptAt,
            @Nullable Instant deliveredAt, Instant giveUpAt) {
        return new Notification(id, batchId, tenant, run, event, target, subscriptionId, url, headers, secret, payload,
                status, attempts, lastStatus, lastError, createdAt, nextAttemptAt, lastAttemptAt, deliveredAt,
                giveUpAt);
    }

    /**
     * An attempt's error as kept: at most {@link NotificationStore#MAX_ERROR_LENGTH}
     * characters.
     */
    static String cutError(String error) {
        return error.length() <= NotificationStore.MAX_ERROR_LENGTH ? error
                : error.substring(0, NotificationStore.MAX_ERROR_LENGTH - 1) + "…";
    }

    /** Without the secret, the headers' values and the URL's path. */
    @Override
    public String toString() {
        return "Notification[id=" + id + ", batch=" + batchId + ", run=" + run + ", event=" + event + ", target="
                + target + ", host=" + url.getHost() + ", status=" + status + ", attempts=" + attempts + "]";
    }

}
