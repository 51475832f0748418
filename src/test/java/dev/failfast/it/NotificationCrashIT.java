package dev.failfast.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A notification recorded is delivered, though the service is killed (SIGKILL) before it
 * was: the built jar runs as a separate process on an H2 file, a receiver in this JVM
 * refuses or holds its requests, the process is killed, the receiver recovers, and the
 * service started again on the same data delivers the notification with the same
 * {@code webhook-id}.
 */
class NotificationCrashIT {

    private static final Duration LONG = Duration.ofMinutes(2);

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr";

    /**
     * Signed with the service's default secret, retried within a second, sent to loopback
     * (the SSRF guard opened as {@code @FailfastServerTest} opens it).
     */
    private static final List<String> SETTINGS = List.of("--failfast.notifications.signing-secret=" + SECRET,
            "--failfast.notifications.initial-backoff=100ms", "--failfast.notifications.max-backoff=500ms",
            "--failfast.notifications.poll-interval=200ms", "--failfast.jobs.http.allowed-networks=127.0.0.0/8",
            "--failfast.jobs.http.allowed-ports=80,443,1024-65535");

    @TempDir
    Path dataDir;

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.verifying(SECRET);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void aNotificationRefusedUntilTheKillIsDeliveredAfterTheRestart() throws Exception {
        receiver.answerAlways(503);
        String batchId;
        JsonNode refused;
        try (var service = start()) {
            batchId = submit(service);
            refused = awaitOnly(service, batchId,
                    n -> n.path("attempts").asInt() >= 1 && n.path("lastStatus").asInt() == 503);
            assertThat(refused.path("status").asString()).isEqualTo("PENDING");
            assertThat(refused.path("nextAttemptAt").isNull()).isFalse();
            service.killHard();
        }
        String webhookId = refused.path("id").asString();
        assertThat(receiver.requests()).isNotEmpty()
            .allSatisfy(delivery -> assertThat(delivery.id()).isEqualTo(webhookId))
            .noneMatch(WebhookReceiver.Delivery::accepted);

        receiver.answerAlways(200);
        try (var service = start()) {
            JsonNode delivered = awaitDelivered(service, batchId);
            assertThat(delivered.path("id").asString()).isEqualTo(webhookId);
            assertThat(delivered.path("attempts").asInt()).isGreaterThan(refused.path("attempts").asInt());
            assertThat(delivered.path("lastStatus").asInt()).isEqualTo(200);
            assertDeliveredOnce(webhookId, batchId, "SUCCEEDED");
        }
    }

    /**
     * The process dies with the request sent and unanswered, its claim held for the
     * claim-ttl of ten minutes: the restarted single instance releases it at start and
     * sends again at once. The attempt the kill cut short is not counted.
     */
    @Test
    void aNotificationWhoseDeliveryTheKillCutShortIsSentAgainAtTheRestart() throws Exception {
        receiver.hold();
        String batchId;
        String webhookId;
        List<String> slow = List.of("--failfast.notifications.timeout=1m", "--failfast.notifications.claim-ttl=10m");
        try (var service = start(slow)) {
            batchId = submit(service);
            await().atMost(LONG).until(() -> !receiver.held().isEmpty());
            JsonNode inFlight = only(service.get(notificationsOf(batchId)));
            assertThat(inFlight.path("status").asString()).isEqualTo("PENDING");
            assertThat(inFlight.path("attempts").asInt()).isZero();
            webhookId = inFlight.path("id").asString();
            assertThat(receiver.held()).containsExactly(webhookId);
            service.killHard();
        }
        receiver.answerAlways(200);
        receiver.release();

        try (var service = start(slow)) {
            // Well within the claim-ttl: released, not expired.
            JsonNode delivered = awaitDelivered(service, batchId);
            assertThat(delivered.path("id").asString()).isEqualTo(webhookId);
            assertThat(delivered.path("attempts").asInt()).isEqualTo(1);
            assertDeliveredOnce(webhookId, batchId, "SUCCEEDED");
            assertThat(receiver.requests()).extracting(WebhookReceiver.Delivery::id)
                .as("the cut-short request, then the delivery")
                .containsExactly(webhookId, webhookId);
        }
    }

    /**
     * Killed the moment the batch is seen terminal, before the receiver took any request:
     * whether the terminal write reached the store or the restart settles the batch
     * (cause OWNER_LOST), the batch has its one batch.finished notification, told of the
     * state it ended in, and it is delivered.
     */
    @Test
    void aKillRightAfterTheTerminalStateLosesNoNotification() throws Exception {
        receiver.answerAlways(503);
        String batchId;
        try (var service = start()) {
            batchId = submit(service);
            await().atMost(LONG)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> service.get("/api/v1/batches/" + batchId).path("state").asString(),
                        state -> state.equals("SUCCEEDED"));
            service.killHard();
        }
        assertThat(receiver.accepted()).isEmpty();

        receiver.answerAlways(200);
        try (var service = start()) {
            JsonNode delivered = awaitDelivered(service, batchId);
            String state = service.get("/api/v1/batches/" + batchId).path("state").asString();
            assertThat(state).isIn("SUCCEEDED", "FAILED");
            assertDeliveredOnce(delivered.path("id").asString(), batchId, state);
        }
    }

    private ServiceProcess start(List<String> more) throws Exception {
        List<String> args = new ArrayList<>(SETTINGS);
        args.addAll(more);
        return ServiceProcess.start(dataDir, args.toArray(String[]::new));
    }

    private ServiceProcess start() throws Exception {
        return start(List.of());
    }

    /** One short sleep job, with a batch.finished target at the receiver. */
    private String submit(ServiceProcess service) {
        JsonNode batch = service.post("/api/v1/batches", """
                {"name": "notify-crash",
                 "notifications": [{"url": "%s", "events": ["batch.finished"]}],
                 "jobs": [{"id": "job-0", "type": "sleep", "params": {"duration": "PT0.2S"}}]}"""
            .formatted(receiver.url("/hooks")));
        assertThat(batch.path("id").isString()).as("accepted: %s", batch).isTrue();
        return batch.path("id").asString();
    }

    private static JsonNode awaitDelivered(ServiceProcess service, String batchId) {
        return awaitOnly(service, batchId, n -> n.path("status").asString().equals("DELIVERED"));
    }

    /** The batch's one notification, once there is one and it is as {@code wanted}. */
    private static JsonNode awaitOnly(ServiceProcess service, String batchId, Predicate<JsonNode> wanted) {
        return only(await().atMost(LONG)
            .until(() -> service.get(notificationsOf(batchId)),
                    list -> list.isArray() && list.size() == 1 && wanted.test(list.get(0))));
    }

    /**
     * The receiver accepted {@code webhookId} once, signed, and it tells of the batch's
     * end in {@code state}.
     */
    private void assertDeliveredOnce(String webhookId, String batchId, String state) {
        assertThat(receiver.accepted()).singleElement().satisfies(delivery -> {
            assertThat(delivery.id()).isEqualTo(webhookId);
            assertThat(delivery.verified()).as("signed with the service's secret").isTrue();
            assertThat(delivery.json().path("type").asString()).isEqualTo("batch.finished");
            assertThat(delivery.json().path("data").path("id").asString()).isEqualTo(batchId);
            assertThat(delivery.json().path("data").path("state").asString()).isEqualTo(state);
        });
    }

    /** The batch's one notification. */
    private static JsonNode only(JsonNode notifications) {
        assertThat(notifications.isArray()).as("a list: %s", notifications).isTrue();
        assertThat(notifications).hasSize(1);
        return notifications.get(0);
    }

    private static String notificationsOf(String batchId) {
        return "/api/v1/batches/" + batchId + "/notifications";
    }

}
