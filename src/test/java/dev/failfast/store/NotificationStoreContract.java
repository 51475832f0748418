package dev.failfast.store;

import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestBatches.aBatchLike;
import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.JobState;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.NotificationTarget;
import dev.failfast.testing.SettableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every {@link NotificationStore} must do, run against each implementation (in
 * memory, H2, PostgreSQL) by a subclass that supplies a fresh, empty store on
 * {@link #clock}, with {@link #PAYLOADS} and retries for {@link #RETRY_FOR}.
 */
abstract class NotificationStoreContract {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    static final Duration RETRY_FOR = Duration.ofHours(1);

    /**
     * A payload that tells which event of which state of the batch it was written for.
     */
    static final PayloadWriter PAYLOADS = (batch, event, at) -> "{\"type\":\"" + event.value() + "\",\"state\":\""
            + batch.state() + "\",\"run\":" + batch.run() + "}";

    final SettableClock clock = new SettableClock(T0);

    /** The store under test, empty at the start of each test. */
    abstract NotificationStore store();

    @Test
    void aFailedBatchRecordsEachEventItReachedOncePerTargetThatWantsIt() {
        Batch failed = failedBatch(
                target("https://a.example/hook", NotificationEvent.BATCH_FAILED, NotificationEvent.BATCH_FIRST_FAILURE),
                target("https://b.example/hook", NotificationEvent.BATCH_SUCCEEDED, NotificationEvent.BATCH_FINISHED));

        store().record(failed);

        List<Notification> recorded = store().findByBatch(failed.id());
        assertThat(recorded).extracting(n -> n.event() + "@" + n.target())
            .containsExactlyInAnyOrder("batch.failed@batch:0", "batch.first_failure@batch:0", "batch.finished@batch:1");
        assertThat(recorded).allSatisfy(n -> {
            assertThat(n.status()).isEqualTo(NotificationStatus.PENDING);
            assertThat(n.attempts()).isZero();
            assertThat(n.createdAt()).isEqualTo(T0);
            assertThat(n.nextAttemptAt()).isEqualTo(T0);
            assertThat(n.giveUpAt()).isEqualTo(T0.plus(RETRY_FOR));
            assertThat(n.run()).isEqualTo(1);
            assertThat(n.tenant()).isEqualTo(failed.owner().tenant());
            assertThat(n.payload()).contains("\"type\":\"" + n.event().value() + "\"", "\"state\":\"FAILED\"");
        });
        assertThat(store().count(NotificationStatus.PENDING)).isEqualTo(3);
    }

    @Test
    void writingTheSameVersionManyTimesRecordsItOnce() {
        Batch failed = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));

        for (int i = 0; i < 5; i++) {
            store().record(failed);
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(store().findByBatch(failed.id())).hasSize(1);
    }

    @Test
    void aLaterVersionRecordsOnlyTheEventsNewToTheRun() {
        NotificationTarget all = target("https://a.example/hook", NotificationEvent.values());
        Batch running = aBatch().notifications(List.of(all))
            .withJobs(aJob("bad").failed(), aJob("ok").running())
            .running()
            .build();
        store().record(running);
        assertThat(store().findByBatch(running.id())).extracting(Notification::event)
            .containsExactly(NotificationEvent.BATCH_FIRST_FAILURE);
        clock.advance(Duration.ofSeconds(5));

        Batch ended = aBatchLike(running).counts(running.counts().moved(JobState.RUNNING, JobState.SUCCEEDED))
            .failed()
            .build();
        store().record(ended);

        List<Notification> recorded = store().findByBatch(running.id());
        assertThat(recorded).extracting(Notification::event)
            .containsExactlyInAnyOrder(NotificationEvent.BATCH_FIRST_FAILURE, NotificationEvent.BATCH_FAILED,
                    NotificationEvent.BATCH_FINISHED);
        assertThat(recorded).filteredOn(n -> n.event() == NotificationEvent.BATCH_FIRST_FAILURE)
            .singleElement()
            .satisfies(n -> assertThat(n.payload()).contains("RUNNING"));
    }

    @Test
    void theTenantsSubscriptionsAreToldOfItsBatchesAndOtherTenantsAreNot() {
        Subscription mine = subscription("default", NotificationEvent.BATCH_FINISHED);
        Subscription theirs = subscription("other", NotificationEvent.BATCH_FINISHED);
        store().createSubscription(mine);
        store().createSubscription(theirs);
        Batch failed = failedBatch();

        store().record(failed);

        assertThat(store().findByBatch(failed.id())).singleElement().satisfies(n -> {
            assertThat(n.subscriptionId()).isEqualTo(mine.id());
            assertThat(n.target()).isEqualTo("subscription:" + mine.id());
            assertThat(n.url()).isEqualTo(mine.url());
            assertThat(n.secret()).as("a subscription's secret is read at delivery").isNull();
        });
    }

    @Test
    void subscriptionsAreCreatedListedRotatedAndDeleted() {
        Subscription first = subscription("default", NotificationEvent.BATCH_FAILED, NotificationEvent.BATCH_FINISHED);
        clock.advance(Duration.ofSeconds(1));
        Subscription second = subscription("default", NotificationEvent.BATCH_CANCELLED);
        store().createSubscription(first);
        store().createSubscription(second);

        assertThat(store().subscriptions("default")).containsExactly(first, second);
        assertThat(store().subscriptions("nobody")).isEmpty();
        assertThat(store().findSubscription(first.id())).contains(first);

        Subscription rotated = first.rotated("whsec_" + "B".repeat(43) + "=", T0.plusSeconds(60));
        assertThat(store().updateSubscription(rotated)).isTrue();
        assertThat(store().findSubscription(first.id())).contains(rotated);
        assertThat(rotated.signingSecrets(T0)).containsExactly(rotated.secret(), first.secret());
        assertThat(rotated.signingSecrets(T0.plusSeconds(60))).containsExactly(rotated.secret());

        assertThat(store().deleteSubscription(first.id())).isTrue();
        assertThat(store().deleteSubscription(first.id())).isFalse();
        assertThat(store().updateSubscription(rotated)).isFalse();
        assertThat(store().subscriptions("default")).containsExactly(second);
    }

    @Test
    void twoClaimersNeverGetTheSameNotification() throws Exception {
        List<NotificationTarget> targets = IntStream.range(0, 10)
            .mapToObj(i -> target("https://t" + i + ".example/hook", NotificationEvent.BATCH_FAILED,
                    NotificationEvent.BATCH_FINISHED))
            .toList();
        for (int i = 0; i < 3; i++) {
            store().record(failedBatch(targets.toArray(NotificationTarget[]::new)));
        }
        int total = 3 * 10 * 2;
        Instant until = T0.plusSeconds(30);
        var start = new CyclicBarrier(2);
        Callable<List<UUID>> claimer = () -> {
            String node = Thread.currentThread().getName();
            start.await();
            List<UUID> mine = new ArrayList<>();
            List<Notification> claimed;
            do {
                claimed = store().claimDue(node, T0, until, 3);
                claimed.forEach(n -> mine.add(n.id()));
            }
            while (!claimed.isEmpty());
            return mine;
        };

        List<UUID> a;
        List<UUID> b;
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<List<UUID>> first = threads.submit(claimer);
            Future<List<UUID>> second = threads.submit(claimer);
            a = first.get();
            b = second.get();
        }

        Set<UUID> all = new HashSet<>(a);
        all.addAll(b);
        assertThat(a.size() + b.size()).as("claimed in all").isEqualTo(total);
        assertThat(all).as("each once").hasSize(total);
        assertThat(store().claimDue("late", T0, until, 100)).isEmpty();
    }

    @Test
    void aClaimHoldsUntilItExpiresThenAnotherNodeMayTakeIt() {
        Batch failed = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(failed);

        List<Notification> claimed = store().claimDue("node-a", T0, T0.plusSeconds(30), 10);

        assertThat(claimed).hasSize(1);
        assertThat(store().claimDue("node-b", T0.plusSeconds(10), T0.plusSeconds(40), 10)).isEmpty();
        assertThat(store().claimDue("node-b", T0.plusSeconds(31), T0.plusSeconds(61), 10)).extracting(Notification::id)
            .containsExactly(claimed.getFirst().id());
    }

    @Test
    void releasingClaimsMakesThemDueAtOnce() {
        store().record(failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED)));
        assertThat(store().claimDue("gone", T0, T0.plusSeconds(30), 10)).hasSize(1);

        assertThat(store().releaseClaims()).isEqualTo(1);

        assertThat(store().claimDue("next", T0, T0.plusSeconds(30), 10)).hasSize(1);
    }

    @Test
    void onlyDueNotificationsAreClaimedOldestDueFirst() {
        Batch first = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(first);
        clock.advance(Duration.ofSeconds(1));
        Batch second = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(second);

        assertThat(store().claimDue("n", T0.minusSeconds(1), T0.plusSeconds(30), 10)).isEmpty();
        assertThat(store().claimDue("n", T0.plusSeconds(5), T0.plusSeconds(30), 1)).extracting(Notification::batchId)
            .containsExactly(first.id());
    }

    @Test
    void aFailedAttemptEndsTheClaimAndIsDueAgainAtItsNextAttempt() {
        Batch failed = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(failed);
        Notification claimed = store().claimDue("a", T0, T0.plusSeconds(30), 1).getFirst();

        store().recordFailedAttempt(claimed.id(), "not-a", 503, "HTTP status 503", T0.plusMillis(5), null);
        assertThat(store().find(failed.id(), claimed.id()).orElseThrow().attempts())
            .as("a replica whose claim was taken over records nothing")
            .isZero();
        store().recordFailedAttempt(claimed.id(), "a", 503, "HTTP status 503", T0.plusMillis(10), T0.plusSeconds(2));

        Notification stored = store().find(failed.id(), claimed.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(NotificationStatus.PENDING);
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(stored.lastStatus()).isEqualTo(503);
        assertThat(stored.lastError()).isEqualTo("HTTP status 503");
        assertThat(stored.lastAttemptAt()).isEqualTo(T0.plusMillis(10));
        assertThat(stored.nextAttemptAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(store().claimDue("b", T0.plusSeconds(1), T0.plusSeconds(30), 1)).isEmpty();
        assertThat(store().claimDue("b", T0.plusSeconds(2), T0.plusSeconds(30), 1)).hasSize(1);

        store().recordFailedAttempt(claimed.id(), "b", null, "IO: refused", T0.plusSeconds(3), null);

        Notification gaveUp = store().find(failed.id(), claimed.id()).orElseThrow();
        assertThat(gaveUp.status()).isEqualTo(NotificationStatus.FAILED);
        assertThat(gaveUp.attempts()).isEqualTo(2);
        assertThat(gaveUp.lastStatus()).isNull();
        assertThat(gaveUp.nextAttemptAt()).isNull();
        assertThat(store().count(NotificationStatus.FAILED)).isEqualTo(1);
        assertThat(store().claimDue("c", T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)), 10)).isEmpty();
    }

    @Test
    void aDeliveryIsRecorded() {
        Batch failed = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(failed);
        Notification claimed = store().claimDue("a", T0, T0.plusSeconds(30), 1).getFirst();

        store().recordDelivered(claimed.id(), 204, T0.plusMillis(50));

        Notification stored = store().find(failed.id(), claimed.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(NotificationStatus.DELIVERED);
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(stored.lastStatus()).isEqualTo(204);
        assertThat(stored.deliveredAt()).isEqualTo(T0.plusMillis(50));
        assertThat(stored.nextAttemptAt()).isNull();
        assertThat(store().count(NotificationStatus.DELIVERED)).isEqualTo(1);
        assertThat(store().count(NotificationStatus.PENDING)).isZero();
    }

    @Test
    void aSettledNotificationIsResentAndAPendingOneIsNot() {
        Batch failed = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(failed);
        Notification n = store().findByBatch(failed.id()).getFirst();

        assertThat(store().resend(failed.id(), n.id(), T0.plusSeconds(1), T0.plusSeconds(100))).isEmpty();

        store().claimDue("a", T0, T0.plusSeconds(30), 1);
        store().recordFailedAttempt(n.id(), "a", 500, "HTTP status 500", T0.plusSeconds(2), null);
        Instant now = T0.plusSeconds(10);
        Notification resent = store().resend(failed.id(), n.id(), now, now.plus(RETRY_FOR)).orElseThrow();

        assertThat(resent.status()).isEqualTo(NotificationStatus.PENDING);
        assertThat(resent.nextAttemptAt()).isEqualTo(now);
        assertThat(resent.giveUpAt()).isEqualTo(now.plus(RETRY_FOR));
        assertThat(resent.attempts()).as("the attempts so far stay counted").isEqualTo(1);
        assertThat(resent.id()).isEqualTo(n.id());
        assertThat(resent.payload()).isEqualTo(n.payload());
        assertThat(store().claimDue("b", now, now.plusSeconds(30), 10)).extracting(Notification::id)
            .containsExactly(n.id());
        store().recordDelivered(n.id(), 200, now.plusSeconds(1));
        assertThat(store().resend(failed.id(), n.id(), now.plusSeconds(2), now.plus(RETRY_FOR)))
            .as("a delivered one too")
            .hasValueSatisfying(again -> assertThat(again.deliveredAt()).isNull());
        assertThat(store().resend(UUID.randomUUID(), n.id(), now, now.plus(RETRY_FOR))).as("another batch's").isEmpty();
        assertThat(store().resend(failed.id(), UUID.randomUUID(), now, now.plus(RETRY_FOR))).isEmpty();
        assertThat(store().find(UUID.randomUUID(), n.id())).isEmpty();
    }

    @Test
    void settledNotificationsRecordedBeforeTheCutoffAreDeletedAndPendingOnesKept() {
        Batch old = failedBatch(
                target("https://a.example/hook", NotificationEvent.BATCH_FAILED, NotificationEvent.BATCH_FINISHED));
        store().record(old);
        List<Notification> olds = store().findByBatch(old.id());
        store().recordDelivered(olds.get(0).id(), 200, T0.plusSeconds(1));
        store().claimDue("a", T0, T0.plusSeconds(30), 10);
        store().recordFailedAttempt(olds.get(1).id(), "a", 500, "HTTP status 500", T0.plusSeconds(1), null);
        Batch oldPending = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(oldPending);
        clock.advance(Duration.ofDays(2));
        Batch recent = failedBatch(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        store().record(recent);
        store().recordDelivered(store().findByBatch(recent.id()).getFirst().id(), 200, clock.instant());

        int deleted = store().deleteSettledBefore(T0.plus(Duration.ofDays(1)));

        assertThat(deleted).isEqualTo(2);
        assertThat(store().findByBatch(old.id())).isEmpty();
        assertThat(store().findByBatch(oldPending.id())).hasSize(1);
        assertThat(store().findByBatch(recent.id())).hasSize(1);
    }

    // ---- data -------------------------------------------------------------------------

    static NotificationTarget target(String url, NotificationEvent... events) {
        return new NotificationTarget(URI.create(url), EnumSet.copyOf(List.of(events)), null,
                JSON.createObjectNode().put("X-Team", "data"));
    }

    /** A FAILED batch of tenant {@code default}: one job failed, one skipped. */
    static Batch failedBatch(NotificationTarget... targets) {
        return aBatch().notifications(List.of(targets))
            .withJobs(aJob("bad").failed(), aJob("next").skipped())
            .failed()
            .build();
    }

    Subscription subscription(String tenant, NotificationEvent... events) {
        return new Subscription(UUID.randomUUID(), tenant, URI.create("https://" + tenant + ".example/sub"),
                EnumSet.copyOf(List.of(events)), JSON.createObjectNode(), "whsec_" + "A".repeat(43) + "=", null, null,
                clock.instant(), "key:test");
    }

}
