package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.NotificationTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The notifications recording some events of a batch version makes: one per event and
 * target that wants it, the batch's own targets first. Shared by both stores.
 */
final class OutboxRows {

    private final PayloadWriter payloads;

    private final Supplier<UUID> ids;

    private final Duration retryFor;

    OutboxRows(PayloadWriter payloads, Supplier<UUID> ids, Duration retryFor) {
        this.payloads = payloads;
        this.ids = ids;
        this.retryFor = retryFor;
    }

    List<Notification> rows(Batch batch, Collection<NotificationEvent> events, List<Subscription> subscriptions,
            Instant now) {
        List<Notification> rows = new ArrayList<>();
        List<NotificationTarget> targets = batch.spec().notifications();
        for (NotificationEvent event : events) {
            String payload = null;
            for (int i = 0; i < targets.size(); i++) {
                NotificationTarget target = targets.get(i);
                if (target.wants(event)) {
                    payload = payload == null ? payloads.payload(batch, event, now) : payload;
                    rows.add(Notification.pending(ids.get(), batch.id(), batch.owner().tenant(), batch.run(), event,
                            "batch:" + i, null, target.url(), target.headers(), target.secret(), payload, now,
                            now.plus(retryFor)));
                }
            }
            for (Subscription subscription : subscriptions) {
                if (subscription.events().contains(event)) {
                    payload = payload == null ? payloads.payload(batch, event, now) : payload;
                    rows.add(Notification.pending(ids.get(), batch.id(), batch.owner().tenant(), batch.run(), event,
                            "subscription:" + subscription.id(), subscription.id(), subscription.url(),
                            subscription.headers(), null, payload, now, now.plus(retryFor)));
                }
            }
        }
        return rows;
    }

    /** The key under which a store remembers that a batch run's event is recorded. */
    static String key(Batch batch, NotificationEvent event) {
        return batch.id() + ":" + batch.run() + ":" + event.value();
    }

}
