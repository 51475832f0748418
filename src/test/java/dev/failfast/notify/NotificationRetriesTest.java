package dev.failfast.notify;

import static dev.failfast.ApiClient.sleep;
import static dev.failfast.notify.NotificationsTest.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.store.Notification;
import dev.failfast.store.NotificationStatus;
import dev.failfast.store.NotificationStore;
import dev.failfast.testing.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Retries against a real receiver that fails, then recovers: the backoff the store
 * records between attempts, retries that run out (backoff 50ms to 200ms, retries for 3s
 * in {@link NotificationServerTest}), and a re-send.
 */
@NotificationServerTest
class NotificationRetriesTest {

    @LocalServerPort
    int port;

    @Autowired
    NotificationStore store;

    ApiClient client;

    @AutoClose
    final WebhookReceiver receiver = WebhookReceiver.verifying(NotificationServerTest.SECRET);

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    /**
     * After the k-th failed attempt the next one is due after a backoff of
     * {@code 50ms * 2^(k-1)}, capped at 200ms, of which half is fixed and half random:
     * each wait is in [base/2, base], so no wait is shorter than the one before.
     */
    @Test
    void aReceiverThatAnswers503ThreeTimesGetsItOnTheFourthAttemptAfterGrowingWaits() {
        receiver.answer(503, 3);
        List<Notification> seenAtEachAttempt = new CopyOnWriteArrayList<>();
        receiver.onRequest(arrived -> seenAtEachAttempt.addAll(store.findByBatch(UUID.fromString(arrived.batchId()))));
        String id = submit("/flaky");

        receiver.awaitEvent(id, "batch.finished");
        Notification delivered = await().until(() -> only(id), n -> n.status() == NotificationStatus.DELIVERED);

        assertThat(delivered.attempts()).isEqualTo(4);
        assertThat(delivered.lastStatus()).isEqualTo(200);
        assertThat(delivered.lastError()).isNull();
        assertThat(receiver.requests()).extracting(WebhookReceiver.Delivery::answered)
            .containsExactly(503, 503, 503, 200);
        assertThat(receiver.requests()).extracting(WebhookReceiver.Delivery::id)
            .containsOnly(delivered.id().toString());
        // What the store held as each attempt arrived: the attempts before it, the last
        // one's status, and when this one was due.
        assertThat(seenAtEachAttempt).extracting(Notification::attempts).containsExactly(0, 1, 2, 3);
        List<Notification> retries = seenAtEachAttempt.subList(1, 4);
        assertThat(retries).allSatisfy(n -> {
            assertThat(n.status()).isEqualTo(NotificationStatus.PENDING);
            assertThat(n.lastStatus()).isEqualTo(503);
            assertThat(n.lastError()).isEqualTo("HTTP status 503");
        });
        List<Duration> waits = retries.stream()
            .map(n -> Duration.between(n.lastAttemptAt(), n.nextAttemptAt()))
            .toList();
        long[] bases = { 50, 100, 200 };
        for (int k = 0; k < 3; k++) {
            assertThat(waits.get(k)).as("wait after attempt %d", k + 1)
                .isBetween(Duration.ofMillis(bases[k] / 2), Duration.ofMillis(bases[k]));
        }
        assertThat(waits).isSortedAccordingTo(Duration::compareTo);
        assertThat(retries).allSatisfy(n -> assertThat(n.lastAttemptAt()).isAfterOrEqualTo(n.createdAt()));
        assertThat(retries.get(2).lastAttemptAt()).isAfter(retries.get(0).lastAttemptAt());
        String scrape = client.get("/actuator/prometheus").body();
        assertThat(scrape).contains("failfast_notifications_delivered_total{event=\"batch.finished\"",
                "failfast_notification_attempts_total{event=\"batch.finished\",outcome=\"failed\"",
                "failfast_notification_attempts_total{event=\"batch.finished\",outcome=\"delivered\"",
                "failfast_notification_delivery_latency_seconds_bucket{event=\"batch.finished\"",
                "failfast_notifications_pending ");
    }

    @Test
    void aReceiverThatAlwaysFailsLeavesItFailedUntilAResendReachesItOnceItRecovered() {
        receiver.answerAlways(500);
        String id = submit("/down");

        Notification failed = await().atMost(Duration.ofSeconds(30))
            .until(() -> only(id), n -> n.status() == NotificationStatus.FAILED);

        assertThat(failed.attempts()).isGreaterThanOrEqualTo(2);
        assertThat(failed.lastStatus()).isEqualTo(500);
        assertThat(failed.nextAttemptAt()).isNull();
        assertThat(failed.giveUpAt()).isEqualTo(failed.createdAt().plusSeconds(3));
        assertThat(receiver.accepted()).isEmpty();
        assertThat(client.get("/actuator/prometheus").body()).contains(
                "failfast_notifications_failed_total{event=\"batch.finished\"", "failfast_notifications_failed_kept ");
        JsonNode listed = client.get("/api/v1/batches/" + id + "/notifications").json().get(0);
        assertThat(listed.get("status").asString()).isEqualTo("FAILED");
        assertThat(listed.get("attempts").asInt()).isEqualTo(failed.attempts());
        assertThat(listed.get("lastStatus").asInt()).isEqualTo(500);
        assertThat(listed.get("lastError").asString()).isEqualTo("HTTP status 500");

        receiver.answerAlways(200);
        ApiClient.Response resent = client.post(resendPath(id, failed.id().toString()), "");

        assertThat(resent.status()).as(resent.body()).isEqualTo(202);
        assertThat(resent.json().get("status").asString()).isEqualTo("PENDING");
        assertThat(resent.json().get("id").asString()).isEqualTo(failed.id().toString());
        WebhookReceiver.Delivery delivered = receiver.awaitEvent(id, "batch.finished");
        assertThat(delivered.id()).isEqualTo(failed.id().toString());
        Notification done = await().until(() -> only(id), n -> n.status() == NotificationStatus.DELIVERED);
        assertThat(done.attempts()).isEqualTo(failed.attempts() + 1);
        assertThat(done.giveUpAt()).isAfter(failed.giveUpAt());
        assertThat(client.post(resendPath(id, failed.id().toString()), "").status())
            .as("a delivered one may be sent again")
            .isEqualTo(202);
        await().until(() -> receiver.requests().stream().filter(d -> d.answered() == 200).count() == 2);
        assertThat(receiver.acceptedOnce()).hasSize(1);
    }

    @Test
    void aPendingNotificationIsNotResentAndUnknownOnesAreNotFound() {
        receiver.hold();
        var arrived = new AtomicInteger();
        receiver.onRequest(request -> arrived.incrementAndGet());
        String id = submit("/slow");
        await().until(() -> arrived.get() > 0);
        Notification pending = only(id);
        assertThat(pending.status()).isEqualTo(NotificationStatus.PENDING);

        ApiClient.Response again = client.post(resendPath(id, pending.id().toString()), "");

        assertThat(again.status()).as(again.body()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(client.post(resendPath(id, UUID.randomUUID().toString()), "").status()).isEqualTo(404);
        assertThat(client.post(resendPath(UUID.randomUUID().toString(), pending.id().toString()), "").status())
            .isEqualTo(404);
        assertThat(client.get("/api/v1/batches/" + UUID.randomUUID() + "/notifications").status()).isEqualTo(404);
        assertThat(
                client.withNewKey("default", "batches:read").post(resendPath(id, pending.id().toString()), "").status())
            .as("a re-send needs batches:write")
            .isEqualTo(403);
        receiver.release();
        await().until(() -> only(id).status() == NotificationStatus.DELIVERED);
    }

    private String submit(String path) {
        return client.submit(Map.of("jobs", List.of(sleep("a", "PT0S")), "notifications",
                List.of(target(receiver.url(path), List.of("batch.finished")))));
    }

    /** The batch's one notification, as the store holds it. */
    private Notification only(String batchId) {
        List<Notification> all = await().until(() -> store.findByBatch(UUID.fromString(batchId)), l -> !l.isEmpty());
        assertThat(all).hasSize(1);
        return all.getFirst();
    }

    private static String resendPath(String batchId, String notificationId) {
        return "/api/v1/batches/" + batchId + "/notifications/" + notificationId + "/resend";
    }

}
