package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.NotificationEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Notifications and subscriptions in memory, for the in-memory store: recorded with the
 * batch change that causes them, lost with everything else at a restart. One lock guards
 * all; notifications are few next to jobs.
 */
public final class InMemoryNotificationStore implements NotificationStore {

    private final OutboxRows outboxRows;

    private final Clock clock;

    private final Map<UUID, Notification> notifications = new LinkedHashMap<>();

    /**
     * The run events recorded. Never pruned: a key is a few dozen bytes per batch, and
     * forgetting one would record its event again at the batch's next write.
     */
    private final Set<String> recorded = new HashSet<>();

    private final Map<UUID, Subscription> subscriptions = new LinkedHashMap<>();

    private final Map<UUID, String> claims = new LinkedHashMap<>();

    private final Map<UUID, Instant> claimedUntil = new LinkedHashMap<>();

    public InMemoryNotificationStore(PayloadWriter payloads, Supplier<UUID> ids, Duration retryFor, Clock clock) {
        this.outboxRows = new OutboxRows(payloads, ids, retryFor);
        this.clock = clock;
    }

    @Override
    public void record(Batch batch) {
        Set<NotificationEvent> reached = NotificationEvent.reachedBy(batch);
        if (!reached.isEmpty()) {
            // Most versions reach nothing: they pass without the lock.
            recordReached(batch, reached);
        }
    }

    private synchronized void recordReached(Batch batch, Set<NotificationEvent> reached) {
        List<NotificationEvent> fresh = new ArrayList<>();
        for (NotificationEvent event : reached) {
            if (recorded.add(OutboxRows.key(batch, event))) {
                fresh.add(event);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        for (Notification row : outboxRows.rows(batch, fresh, subscriptions(batch.owner().tenant()), clock.instant())) {
            notifications.put(row.id(), row);
        }
    }

    @Override
    public synchronized List<Notification> claimDue(String node, Instant now, Instant until, int max) {
        List<Notification> due = notifications.values()
            .stream()
            .filter(n -> n.status() == NotificationStatus.PENDING && n.nextAttemptAt() != null
                    && !n.nextAttemptAt().isAfter(now))
            .filter(n -> !claimedUntil.containsKey(n.id()) || claimedUntil.get(n.id()).isBefore(now))
            .sorted(Comparator.comparing(Notification::nextAttemptAt).thenComparing(Notification::id))
            .limit(max)
            .toList();
        for (Notification n : due) {
            claims.put(n.id(), node);
            claimedUntil.put(n.id(), until);
        }
        return due;
    }

    @Override
    public synchronized int releaseClaims() {
        int released = claims.size();
        claims.clear();
        claimedUntil.clear();
        return released;
    }

    @Override
    public synchronized void recordDelivered(UUID id, int httpStatus, Instant at) {
        Notification current = notifications.get(id);
        if (current == null || current.status() != NotificationStatus.PENDING) {
            return;
        }
        change(id, n -> n.delivered(httpStatus, at));
    }

    @Override
    public synchronized void recordFailedAttempt(UUID id, String node, @Nullable Integer httpStatus, String error,
            Instant at, @Nullable Instant nextAttempt) {
        Notification current = notifications.get(id);
        if (current == null || current.status() != NotificationStatus.PENDING || !node.equals(claims.get(id))) {
            return;
        }
        change(id, n -> n.attemptFailed(httpStatus, error, at, nextAttempt));
    }

    private void change(UUID id, UnaryOperator<Notification> change) {
        notifications.computeIfPresent(id, (key, n) -> change.apply(n));
        claims.remove(id);
        claimedUntil.remove(id);
    }

    @Override
    public synchronized List<Notification> findByBatch(UUID batchId) {
        return notifications.values().stream().filter(n -> n.batchId().equals(batchId)).toList();
    }

    @Override
    public synchronized Optional<Notification> find(UUID batchId, UUID id) {
        return Optional.ofNullable(notifications.get(id)).filter(n -> n.batchId().equals(batchId));
    }

    @Override
    public synchronized Optional<Notification> resend(UUID batchId, UUID id, Instant now, Instant giveUpAt) {
        Optional<Notification> found = find(batchId, id).filter(n -> n.status() != NotificationStatus.PENDING);
        found.ifPresent(n -> change(id, old -> old.resent(now, giveUpAt)));
        return found.map(n -> notifications.get(id));
    }

    @Override
    public synchronized long count(NotificationStatus status) {
        return notifications.values().stream().filter(n -> n.status() == status).count();
    }

    @Override
    public synchronized int deleteSettledBefore(Instant cutoff) {
        List<UUID> settled = notifications.values()
            .stream()
            .filter(n -> n.status() != NotificationStatus.PENDING && n.createdAt().isBefore(cutoff))
            .map(Notification::id)
            .toList();
        settled.forEach(notifications::remove);
        return settled.size();
    }

    @Override
    public synchronized void createSubscription(Subscription subscription) {
        subscriptions.put(subscription.id(), subscription);
    }

    @Override
    public synchronized List<Subscription> subscriptions(String tenant) {
        return subscriptions.values().stream().filter(s -> s.tenant().equals(tenant)).toList();
    }

    @Override
    public synchronized Optional<Subscription> findSubscription(UUID id) {
        return Optional.ofNullable(subscriptions.get(id));
    }

    @Override
    public synchronized boolean updateSubscription(Subscription subscription) {
        return subscriptions.replace(subscription.id(), subscription) != null;
    }

    @Override
    public synchronized boolean deleteSubscription(UUID id) {
        return subscriptions.remove(id) != null;
    }

}
