package dev.failfast.notify;

import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.JobState;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.engine.BatchEventListener;
import dev.failfast.job.JobFailedException;
import dev.failfast.job.WebhookPost;
import dev.failfast.logging.LogText;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.Notification;
import dev.failfast.store.NotificationStatus;
import dev.failfast.store.NotificationStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Delivers the notifications the outbox recorded: a thread of its own claims those due
 * and hands each to one of {@code delivery-threads} senders, which post it signed and
 * record the attempt. A 2xx delivers it; anything else, or no answer, schedules a retry
 * after an exponential backoff with jitter, until {@code retry-for} has passed, and then
 * it is FAILED. A claim holds for {@code claim-ttl}: a replica that dies while delivering
 * leaves its claims to expire, and another delivers them (at least once; receivers drop
 * repeats by {@code webhook-id}).
 *
 * <p>
 * The thread looks every {@code poll-interval}, and at once when an event of this process
 * reached a notification: it then first flushes that batch, so that the write-behind
 * store has written the outbox rows, and the notification goes out within milliseconds of
 * the change.
 */
public final class NotificationDelivery implements BatchEventListener, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NotificationDelivery.class);

    private static final String PREFIX = "failfast.";

    private final NotificationStore notifications;

    private final BatchStore batches;

    private final WebhookPost post;

    private final SigningSecrets secrets;

    private final Clock clock;

    private final FailfastProperties.Notifications settings;

    private final Duration retention;

    private final Duration purgeInterval;

    private final String node;

    private final boolean soleInstance;

    private final Semaphore senders;

    private final Semaphore wanted = new Semaphore(0);

    private final Set<UUID> toFlush = ConcurrentHashMap.newKeySet();

    /** When the earliest retry this process scheduled is due, in epoch millis. */
    private final AtomicLong earliestRetry = new AtomicLong(Long.MAX_VALUE);

    private final MeterProvider<Counter> delivered;

    private final MeterProvider<Counter> exhausted;

    private final MeterProvider<Counter> attempts;

    private final MeterProvider<Timer> latency;

    private volatile @Nullable Thread poller;

    private volatile @Nullable ExecutorService pool;

    private volatile Instant lastPurge = Instant.EPOCH;

    /**
     * @param node this replica's name in claims
     * @param soleInstance no other process delivers from this store (single-instance
     * mode): the claims a previous process left are released at start
     */
    public NotificationDelivery(NotificationStore notifications, BatchStore batches, WebhookPost post,
            SigningSecrets secrets, Clock clock, FailfastProperties properties, MeterRegistry registry, String node,
            boolean soleInstance) {
        this.soleInstance = soleInstance;
        this.notifications = notifications;
        this.batches = batches;
        this.post = post;
        this.secrets = secrets;
        this.clock = clock;
        this.settings = properties.notifications();
        this.retention = properties.retention().ttl();
        this.purgeInterval = properties.retention().purgeInterval();
        this.node = node;
        this.senders = new Semaphore(settings.deliveryThreads());
        this.delivered = Counter.builder(PREFIX + "notifications.delivered")
            .description("Notifications delivered (a 2xx from the receiver), by event")
            .withRegistry(registry);
        this.exhausted = Counter.builder(PREFIX + "notifications.failed")
            .description("Notifications whose retries ran out without a 2xx, by event")
            .withRegistry(registry);
        this.attempts = Counter.builder(PREFIX + "notification.attempts")
            .description("Delivery attempts, by outcome: delivered, or failed (a non-2xx, or no answer)")
            .withRegistry(registry);
        this.latency = Timer.builder(PREFIX + "notification.delivery.latency")
            .description("From a notification's recording (the batch's change) to its delivery")
            .publishPercentileHistogram()
            // Retries go on for retry-for (24 h by default): beyond Micrometer's default
            // top bucket (30 s) every retried delivery would read as that.
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofHours(24))
            .withRegistry(registry);
        // Created with 0 at start, as the batch counters are: a counter that appears with
        // its first event shows no increase for it, so the first notification that ran
        // out of retries would never fire the alert on them.
        for (NotificationEvent event : NotificationEvent.values()) {
            delivered.withTags("event", event.value());
            exhausted.withTags("event", event.value());
            attempts.withTags("outcome", "delivered", "event", event.value());
            attempts.withTags("outcome", "failed", "event", event.value());
        }
        Gauge.builder(PREFIX + "notifications.pending", notifications, n -> n.count(NotificationStatus.PENDING))
            .description("Notifications not delivered yet, retries included (all replicas)")
            .register(registry);
        Gauge.builder(PREFIX + "notifications.failed.kept", notifications, n -> n.count(NotificationStatus.FAILED))
            .description("Notifications whose retries ran out, kept until retention or a re-send (all replicas)")
            .register(registry);
    }

    // ---- waking -----------------------------------------------------------------------

    /** Wakes the thread when a change of this process reached a notification's event. */
    @Override
    public void onEvent(BatchEvent event) {
        boolean reached = switch (event) {
            case BatchEvent.BatchChanged changed -> changed.batch().state().isTerminal();
            case BatchEvent.JobChanged changed ->
                changed.job().state() == JobState.FAILED && changed.batch().failedInRun() == 1;
            case BatchEvent.Submitted submitted -> false;
        };
        if (reached) {
            toFlush.add(event.batch().id());
            wanted.release();
        }
    }

    /** Looks for due notifications now: after a re-send, say. */
    public void wake() {
        wanted.release();
    }

    // ---- the loop ---------------------------------------------------------------------

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                long wait = Math.min(settings.pollInterval().toMillis(),
                        Math.max(0, earliestRetry.get() - clock.millis()));
                wanted.tryAcquire(wait, TimeUnit.MILLISECONDS);
                wanted.drainPermits();
            }
            catch (InterruptedException e) {
                return;
            }
            try {
                flushWoken();
                deliverDue();
                purgeSettled();
            }
            catch (RuntimeException e) {
                log.warn("Looking for notifications to deliver failed; trying again in {}: {}", settings.pollInterval(),
                        LogText.of(e));
            }
        }
    }

    private void flushWoken() {
        for (UUID id : List.copyOf(toFlush)) {
            toFlush.remove(id);
            batches.flush(id);
        }
    }

    private void deliverDue() {
        ExecutorService senderPool = pool;
        if (senderPool == null) {
            return;
        }
        // A retry due by now is claimed below (or when a sender frees up); one due later
        // keeps waking the loop on time.
        long now = clock.millis();
        earliestRetry.updateAndGet(due -> due <= now ? Long.MAX_VALUE : due);
        while (true) {
            int free = senders.drainPermits();
            if (free == 0) {
                return; // a sender that ends wakes the loop
            }
            int handedOut = 0;
            List<Notification> due;
            try {
                Instant at = clock.instant();
                due = notifications.claimDue(node, at, at.plus(settings.claimTtl()), free);
                for (Notification notification : due) {
                    senderPool.execute(() -> send(notification));
                    handedOut++;
                }
            }
            finally {
                // Permits not handed to a sender (none claimed, the claim failed, the
                // pool
                // is shutting down) go back, or the loop would starve. A claim whose
                // sender never ran expires, and the notification is claimed again.
                senders.release(free - handedOut);
            }
            if (due.size() < free) {
                return;
            }
        }
    }

    private void send(Notification notification) {
        try {
            deliver(notification);
        }
        catch (RuntimeException e) {
            // The attempt could not be recorded (the database is away): the claim expires
            // and it is attempted again.
            log.warn("Recording the delivery of notification {} failed: {}", notification.id(), LogText.of(e));
        }
        finally {
            senders.release();
            wanted.release();
        }
    }

    /** Sends one notification, signed, and records the attempt. */
    void deliver(Notification notification) {
        byte[] body = notification.payload().getBytes(StandardCharsets.UTF_8);
        Instant at = clock.instant();
        String event = notification.event().value();
        UUID subscription = notification.subscriptionId();
        if (subscription != null && notifications.findSubscription(subscription).isEmpty()) {
            // Unsubscribed meanwhile: the receiver asked for nothing more.
            notifications.recordFailedAttempt(notification.id(), node, null, "its subscription was deleted", at, null);
            return;
        }
        List<String> signing;
        try {
            signing = secrets.of(notification, at);
        }
        catch (IllegalStateException e) {
            failed(notification, null, "not signed: " + e.getMessage(), at);
            return;
        }
        try {
            long timestamp = at.getEpochSecond();
            String id = notification.id().toString();
            Map<String, String> headers = Map.of("webhook-id", id, "webhook-timestamp", Long.toString(timestamp),
                    "webhook-signature", WebhookSignatures.header(signing, id, timestamp, body), "User-Agent",
                    "Failfast-Webhooks");
            int status = post.post(notification.url(), notification.headers(), headers, body, notification.tenant(),
                    settings.timeout());
            Instant done = clock.instant();
            if (status / 100 == 2) {
                notifications.recordDelivered(notification.id(), status, done);
                attempts.withTags("outcome", "delivered", "event", event).increment();
                delivered.withTags("event", event).increment();
                if (!wasResent(notification)) {
                    latency.withTags("event", event).record(Duration.between(notification.createdAt(), done));
                }
                return;
            }
            failed(notification, status, "HTTP status " + status, done);
        }
        catch (JobFailedException e) {
            // TARGET_DENIED too: the operator may open the network, so it is retried.
            failed(notification, null, e.errorType() + ": " + e.getMessage(), clock.instant());
        }
        catch (InterruptedException e) {
            // Shutting down: the claim expires and a later run delivers it.
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether a client re-sent it: a re-send moves {@code giveUpAt} to {@code retry-for}
     * after the re-send. Its delivery then tells nothing of the latency.
     */
    private boolean wasResent(Notification notification) {
        return Duration.between(notification.createdAt(), notification.giveUpAt()).compareTo(settings.retryFor()) > 0;
    }

    private void failed(Notification notification, @Nullable Integer status, String error, Instant at) {
        String event = notification.event().value();
        attempts.withTags("outcome", "failed", "event", event).increment();
        Instant next = at.plus(backoff(notification.attempts() + 1));
        if (next.isAfter(notification.giveUpAt())) {
            notifications.recordFailedAttempt(notification.id(), node, status, error, at, null);
            exhausted.withTags("event", event).increment();
            log.warn("Notification {} of batch {} ({}) failed for good after {} attempts: {}", notification.id(),
                    notification.batchId(), event, notification.attempts() + 1, LogText.of(error));
            return;
        }
        notifications.recordFailedAttempt(notification.id(), node, status, error, at, next);
        earliestRetry.accumulateAndGet(next.toEpochMilli(), Math::min);
        log.debug("Notification {} attempt {} failed ({}); next at {}", notification.id(), notification.attempts() + 1,
                LogText.of(error), next);
    }

    /**
     * The wait after {@code failedAttempts} failed attempts: {@code initial-backoff}
     * doubled per attempt after the first, capped at {@code max-backoff}; half of it
     * fixed and half random, so that receivers that came back are not all retried at
     * once.
     */
    Duration backoff(int failedAttempts) {
        long initial = settings.initialBackoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        int doublings = Math.min(failedAttempts - 1, 40);
        long base = initial > max >> doublings ? max : Math.min(max, initial << doublings);
        long half = base / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
    }

    private void purgeSettled() {
        Instant now = clock.instant();
        if (Duration.between(lastPurge, now).compareTo(purgeInterval) < 0) {
            return;
        }
        lastPurge = now;
        int purged = notifications.deleteSettledBefore(now.minus(retention));
        if (purged > 0) {
            log.info("Removed {} delivered or failed notifications older than {}", purged, retention);
        }
    }

    // ---- lifecycle --------------------------------------------------------------------

    @Override
    public void start() {
        if (soleInstance) {
            int released = notifications.releaseClaims();
            if (released > 0) {
                log.info("Released {} notification claims a previous process left; delivering them now", released);
            }
        }
        pool = Executors.newFixedThreadPool(settings.deliveryThreads(),
                Thread.ofPlatform().name("failfast-notify-", 0).daemon().factory());
        poller = Thread.ofPlatform().name("failfast-notify-poll").daemon().start(this::run);
    }

    @Override
    public void stop() {
        Thread thread = poller;
        if (thread != null) {
            thread.interrupt();
        }
        ExecutorService senderPool = pool;
        if (senderPool != null) {
            senderPool.shutdownNow();
            try {
                senderPool.awaitTermination(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        poller = null;
        pool = null;
    }

    @Override
    public boolean isRunning() {
        return poller != null;
    }

}
