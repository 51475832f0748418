package dev.failfast.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The outbox of notifications, their deliveries, and the tenants' subscriptions. The
 * batch stores record into it ({@link Outbox}) as they write batches; the delivery worker
 * claims what is due and records each attempt.
 */
public interface NotificationStore extends Outbox {

    /** The longest error kept of an attempt ({@code notification.last_error}). */
    int MAX_ERROR_LENGTH = 1000;

    /**
     * Claims up to {@code max} notifications due at {@code now} (PENDING, next attempt
     * not later) that no one holds a claim on, for {@code node} until {@code until}: no
     * other replica claims them before, unless this one records their attempt first.
     * Oldest due first.
     */
    List<Notification> claimDue(String node, Instant now, Instant until, int max);

    /**
     * Ends every claim, so that what a previous process claimed is due at once. Only for
     * a single instance starting, which no other process delivers beside.
     */
    int releaseClaims();

    /**
     * An attempt got {@code httpStatus}, a 2xx: DELIVERED, whoever holds the claim now
     * (it was delivered, even if the claim had expired).
     */
    void recordDelivered(UUID id, int httpStatus, Instant at);

    /**
     * An attempt of {@code node}'s failed: PENDING again, due at {@code nextAttempt}, or
     * FAILED when that is null (retries ran out). Ends the claim. Changes nothing if
     * {@code node} no longer holds the claim: another replica took it over after it
     * expired, and that replica's attempt decides.
     * @param httpStatus the receiver's answer, null when none came
     * @param error why, cut to {@link #MAX_ERROR_LENGTH} characters
     */
    void recordFailedAttempt(UUID id, String node, @Nullable Integer httpStatus, String error, Instant at,
            @Nullable Instant nextAttempt);

    /** A batch's notifications, oldest first. */
    List<Notification> findByBatch(UUID batchId);

    Optional<Notification> find(UUID batchId, UUID id);

    /**
     * A DELIVERED or FAILED notification, PENDING again: due at {@code now}, retried
     * until {@code giveUpAt}. Empty if there is no such notification, or it is PENDING.
     */
    Optional<Notification> resend(UUID batchId, UUID id, Instant now, Instant giveUpAt);

    /** How many notifications are in {@code status}. */
    long count(NotificationStatus status);

    /**
     * Removes DELIVERED and FAILED notifications recorded before {@code cutoff} whose
     * batch is gone or finished before {@code cutoff} too: a row stays while its batch
     * may still be written, so that no later write of the batch records its event again.
     */
    int deleteSettledBefore(Instant cutoff);

    void createSubscription(Subscription subscription);

    /** A tenant's subscriptions, oldest first. */
    List<Subscription> subscriptions(String tenant);

    Optional<Subscription> findSubscription(UUID id);

    /** Replaces a subscription (a rotated secret). Returns false if it is gone. */
    boolean updateSubscription(Subscription subscription);

    boolean deleteSubscription(UUID id);

}
