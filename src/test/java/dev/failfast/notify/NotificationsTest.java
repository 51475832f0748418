package dev.failfast.notify;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.testing.GateJob;
import dev.failfast.testing.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Outcome notifications end to end: batches submitted over HTTP, run on the real engine
 * and store, and a real receiver that checks each signature with its own HMAC code and
 * drops repeated webhook-ids.
 */
@NotificationServerTest
class NotificationsTest {

    static final List<String> ALL_EVENTS = List.of("batch.failed", "batch.succeeded", "batch.cancelled",
            "batch.finished", "batch.first_failure");

    @LocalServerPort
    int port;

    ApiClient client;

    @AutoClose
    final WebhookReceiver receiver = WebhookReceiver.verifying(NotificationServerTest.SECRET);

    final List<String> gates = new ArrayList<>();

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @AfterEach
    void tearDown() {
        gates.forEach(GateJob::open);
    }

    @Test
    void aFailedBatchNotifiesItsFirstFailureItsFailureAndItsEndEachOnceWithThePayloadOfItsStatus() {
        String id = client
            .submit(Map.of("name", "nightly", "labels", Map.of("team", "data"), "maxParallelism", 3, "jobs",
                    List.of(sleep("bad", "PT0S", Map.of("failAfter", "PT0S")), sleep("slow-1", "PT60S"),
                            sleep("slow-2", "PT60S")),
                    "notifications", List.of(target(receiver.url("/hooks/failfast"), ALL_EVENTS))));

        JsonNode batch = client.awaitTerminal(id);
        WebhookReceiver.Delivery failed = receiver.awaitEvent(id, "batch.failed");
        WebhookReceiver.Delivery finished = receiver.awaitEvent(id, "batch.finished");
        WebhookReceiver.Delivery first = receiver.awaitEvent(id, "batch.first_failure");

        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        JsonNode data = failed.json().get("data");
        assertThat(failed.json().get("type").asString()).isEqualTo("batch.failed");
        assertThat(failed.json().get("timestamp").asString()).isNotBlank();
        assertThat(data.get("id").asString()).isEqualTo(id);
        assertThat(data.get("name").asString()).isEqualTo("nightly");
        assertThat(data.get("labels").get("team").asString()).isEqualTo("data");
        assertThat(data.get("tenant").asString()).isEqualTo("default");
        assertThat(data.get("state").asString()).isEqualTo("FAILED");
        assertThat(data.get("run").asInt()).isEqualTo(1);
        assertThat(data.get("counts").get("total").asInt()).isEqualTo(3);
        assertThat(data.get("counts").get("failed").asInt()).isEqualTo(1);
        assertThat(data.get("counts").get("cancelled").asInt() + data.get("counts").get("skipped").asInt())
            .isEqualTo(2);
        JsonNode cause = data.get("cancellation");
        assertThat(cause.get("cause").asString()).isEqualTo("JOB_FAILED");
        assertThat(cause.get("jobId").asString()).isEqualTo("bad");
        assertThat(cause.get("errorType").asString()).isEqualTo(batch.get("cancellation").get("errorType").asString());
        assertThat(cause.get("report").isObject()).as("the stop report").isTrue();
        assertThat(cause.get("report").get("runningAtCause").asInt())
            .isEqualTo(batch.get("cancellation").get("report").get("runningAtCause").asInt());
        assertThat(data.get("finishedAt").asString()).isEqualTo(batch.get("finishedAt").asString());
        assertThat(data.get("links").get("batch").asString()).isEqualTo("/api/v1/batches/" + id);
        assertThat(finished.json().get("data").get("state").asString()).isEqualTo("FAILED");
        assertThat(first.json().get("data").get("counts").get("failed").asInt()).isEqualTo(1);
        assertThat(failed.header("User-Agent")).isEqualTo("Failfast-Webhooks");
        assertThat(failed.header("Content-Type")).startsWith("application/json");

        List<JsonNode> listed = awaitAllDelivered(id, 3);
        assertThat(listed).extracting(n -> n.get("event").asString())
            .containsExactlyInAnyOrder("batch.first_failure", "batch.failed", "batch.finished");
        assertThat(listed).allSatisfy(n -> {
            assertThat(n.get("attempts").asInt()).isEqualTo(1);
            assertThat(n.get("lastStatus").asInt()).isEqualTo(200);
            assertThat(n.get("run").asInt()).isEqualTo(1);
            assertThat(n.get("target").asString()).isEqualTo("batch:0");
            assertThat(n.get("nextAttemptAt").isNull()).isTrue();
            assertThat(n.get("deliveredAt").isNull()).isFalse();
            assertThat(n.get("url").asString()).startsWith("http://127.0.0.1:");
        });
        assertThat(listed).extracting(n -> n.get("id").asString())
            .containsExactlyInAnyOrderElementsOf(receiver.of(id).stream().map(WebhookReceiver.Delivery::id).toList());
        assertThat(receiver.of(id)).hasSize(3);
    }

    @Test
    void aSucceededBatchNotifiesOnlyTheEventsItsTargetWants() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S"), sleep("b", "PT0S")), "notifications",
                List.of(target(receiver.url("/ok"), List.of("batch.succeeded", "batch.failed")),
                        target(receiver.url("/any-end"), List.of("batch.finished")))));

        WebhookReceiver.Delivery succeeded = receiver.awaitEvent(id, "batch.succeeded");
        receiver.awaitEvent(id, "batch.finished");

        JsonNode data = succeeded.json().get("data");
        assertThat(data.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(data.get("counts").get("succeeded").asInt()).isEqualTo(2);
        assertThat(data.get("cancellation").isNull()).isTrue();
        assertThat(awaitAllDelivered(id, 2))
            .extracting(n -> n.get("event").asString() + "@" + n.get("target").asString())
            .containsExactlyInAnyOrder("batch.succeeded@batch:0", "batch.finished@batch:1");
        assertThat(receiver.requests()).filteredOn(d -> d.batchId().equals(id))
            .extracting(d -> d.type())
            .containsExactlyInAnyOrder("batch.succeeded", "batch.finished");
    }

    @Test
    void aUserCancelNotifiesTheCancellationWithItsReasonAndStopReport() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT60S"), sleep("b", "PT60S")), "notifications",
                List.of(target(receiver.url("/cancelled"), List.of("batch.cancelled", "batch.finished")))));
        await().until(() -> client.batch(id).get("counts").get("running").asInt() == 2);

        assertThat(client.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "wrong input")).status())
            .isEqualTo(202);

        WebhookReceiver.Delivery cancelled = receiver.awaitEvent(id, "batch.cancelled");
        receiver.awaitEvent(id, "batch.finished");
        JsonNode cause = cancelled.json().get("data").get("cancellation");
        assertThat(cancelled.json().get("data").get("state").asString()).isEqualTo("CANCELLED");
        assertThat(cause.get("cause").asString()).isEqualTo("USER_REQUESTED");
        assertThat(cause.get("reason").asString()).isEqualTo("wrong input");
        assertThat(cause.get("requestedBy").asString()).isNotBlank();
        assertThat(cause.get("report").get("runningAtCause").asInt()).isEqualTo(2);
        assertThat(cause.get("report").get("stoppedRunning").asInt()).isEqualTo(2);
    }

    /**
     * Under CONTINUE the first failure is told while the batch runs on; an IGNORE rule
     * excuses it, so the batch then succeeds, and that is told too.
     */
    @Test
    void theFirstFailureIsToldWhileTheBatchRunsOnAndItsSuccessLater() {
        String gate = gate("first-failure");
        String id = client
            .submit(Map.of("failurePolicy", "CONTINUE", "onError", List.of(Map.of("action", "IGNORE")), "jobs",
                    List.of(sleep("bad-1", "PT0S", Map.of("failAfter", "PT0S")), GateJob.job("held", gate),
                            sleep("bad-2", "PT0S", Map.of("failAfter", "PT0S"))),
                    "notifications", List.of(target(receiver.url("/first"), ALL_EVENTS))));

        WebhookReceiver.Delivery first = receiver.awaitEvent(id, "batch.first_failure");

        assertThat(first.json().get("data").get("state").asString()).isEqualTo("RUNNING");
        assertThat(first.json().get("data").get("finishedAt").isNull()).isTrue();
        assertThat(client.batch(id).get("state").asString()).isEqualTo("RUNNING");
        assertThat(receiver.of(id)).extracting(WebhookReceiver.Delivery::type).containsExactly("batch.first_failure");

        GateJob.open(gate);

        WebhookReceiver.Delivery succeeded = receiver.awaitEvent(id, "batch.succeeded");
        receiver.awaitEvent(id, "batch.finished");
        assertThat(succeeded.json().get("data").get("counts").get("failed").asInt()).isEqualTo(2);
        assertThat(awaitAllDelivered(id, 3)).extracting(n -> n.get("event").asString())
            .containsExactlyInAnyOrder("batch.first_failure", "batch.succeeded", "batch.finished");
        assertThat(receiver.of(id)).hasSize(3);
    }

    @Test
    void aRedrivenBatchNotifiesItsSecondRunUnderNewWebhookIds() {
        String id = client
            .submit(Map.of("jobs", List.of(sleep("bad", "PT0S", Map.of("failAfter", "PT0S"))), "notifications",
                    List.of(target(receiver.url("/runs"), List.of("batch.failed", "batch.first_failure")))));
        receiver.awaitEvent(id, "batch.failed");
        awaitAllDelivered(id, 2);

        ApiClient.Response redrive = client.post("/api/v1/batches/" + id + "/redrive", "");
        assertThat(redrive.status()).as(redrive.body()).isEqualTo(202);
        client.awaitTerminal(id);

        List<JsonNode> listed = awaitAllDelivered(id, 4);
        assertThat(listed).extracting(n -> n.get("event").asString() + "#" + n.get("run").asInt())
            .containsExactlyInAnyOrder("batch.first_failure#1", "batch.failed#1", "batch.first_failure#2",
                    "batch.failed#2");
        await().until(() -> receiver.of(id).size() == 4);
        assertThat(receiver.of(id)).filteredOn(d -> d.run() == 2)
            .extracting(WebhookReceiver.Delivery::type)
            .containsExactlyInAnyOrder("batch.first_failure", "batch.failed");
        assertThat(receiver.of(id)).filteredOn(d -> d.type().equals("batch.failed"))
            .extracting(d -> d.json().get("data").get("state").asString())
            .containsOnly("FAILED");
    }

    @Test
    void aTargetsOwnSecretSignsInsteadOfTheDefault() {
        String own = WebhookSignatures.newSecret();
        receiver.trust(own);
        var withSecret = new LinkedHashMap<>(target(receiver.url("/own"), List.of("batch.finished")));
        withSecret.put("secret", own);
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S")), "notifications", List.of(withSecret)));

        WebhookReceiver.Delivery delivered = receiver.awaitEvent(id, "batch.finished");

        assertThat(delivered.signatures()).hasSize(1);
        assertThat(delivered.signedBy(own)).isTrue();
        assertThat(delivered.signedBy(NotificationServerTest.SECRET)).isFalse();
        assertThat(client.batch(id).get("notifications").get(0).get("ownSecret").asBoolean()).isTrue();
    }

    @Test
    void noSecretIsEverShownAndSensitiveHeadersAreMasked() {
        String own = WebhookSignatures.newSecret();
        receiver.trust(own);
        var headers = Map.<String, Object>of("Authorization", "Bearer literal-token-7d1e", "X-Hook-Token",
                Map.of("secretRef", "hook-token"), "X-Plain", "visible-value");
        var withSecret = new LinkedHashMap<>(
                target(receiver.url("/secret?token=query-token-3c8a"), List.of("batch.finished")));
        withSecret.put("secret", own);
        withSecret.put("headers", headers);
        ApiClient.Response submitted = client.post("/api/v1/batches",
                Map.of("jobs", List.of(sleep("a", "PT0S")), "notifications", List.of(withSecret)));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = submitted.json().get("id").asString();

        WebhookReceiver.Delivery delivered = receiver.awaitEvent(id, "batch.finished");
        awaitAllDelivered(id, 1);

        assertThat(delivered.header("Authorization")).isEqualTo("Bearer literal-token-7d1e");
        assertThat(delivered.header("X-Hook-Token")).isEqualTo(NotificationServerTest.HOOK_TOKEN);
        assertThat(delivered.header("X-Plain")).isEqualTo("visible-value");
        JsonNode shown = client.batch(id).get("notifications").get(0);
        assertThat(shown.get("headers").get("X-Plain").asString()).isEqualTo("visible-value");
        assertThat(shown.has("secret")).isFalse();
        List<String> bodies = List.of(submitted.body(), client.get("/api/v1/batches/" + id).body(),
                client.get("/api/v1/batches/" + id + "/notifications").body(),
                client.get("/api/v1/batches?size=100").body());
        assertThat(bodies).allSatisfy(body -> assertThat(body).doesNotContain(own, own.substring("whsec_".length()),
                NotificationServerTest.SECRET, "literal-token-7d1e", NotificationServerTest.HOOK_TOKEN,
                "query-token-3c8a"));

        String chosen = WebhookSignatures.newSecret();
        ApiClient tenant = client.withNewKey("no-echo-" + UUID.randomUUID().toString().substring(0, 8),
                "subscriptions:manage");
        var subscription = new LinkedHashMap<>(target(receiver.url("/sub"), List.of("batch.failed")));
        subscription.put("secret", chosen);
        subscription.put("headers", Map.of("Authorization", "Bearer literal-token-7d1e"));
        ApiClient.Response created = tenant.post("/api/v1/subscriptions", subscription);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String subscriptionId = created.json().get("id").asString();
        assertThat(List.of(created.body(), tenant.get("/api/v1/subscriptions").body(),
                tenant.get("/api/v1/subscriptions/" + subscriptionId).body()))
            .allSatisfy(body -> assertThat(body).doesNotContain(chosen, chosen.substring("whsec_".length()),
                    "literal-token-7d1e"));
    }

    @Test
    void anotherTenantSeesNoneOfABatchsNotificationsNorResendsThem() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S")), "notifications",
                List.of(target(receiver.url("/mine"), List.of("batch.finished")))));
        String notification = awaitAllDelivered(id, 1).getFirst().get("id").asString();
        ApiClient stranger = client.withNewKey("stranger-" + UUID.randomUUID().toString().substring(0, 8),
                "batches:read", "batches:write");

        assertThat(stranger.get("/api/v1/batches/" + id + "/notifications").status()).isEqualTo(404);
        assertThat(stranger.post("/api/v1/batches/" + id + "/notifications/" + notification + "/resend", "").status())
            .isEqualTo(404);
        assertThat(client.as(null).get("/api/v1/batches/" + id + "/notifications").status()).isEqualTo(401);
        assertThat(receiver.of(id)).hasSize(1);
    }

    /**
     * Waits until the batch has {@code count} notifications, all DELIVERED, and returns
     * them.
     */
    private List<JsonNode> awaitAllDelivered(String id, int count) {
        return await().atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> client.get("/api/v1/batches/" + id + "/notifications").json().valueStream().toList(),
                    list -> list.size() == count
                            && list.stream().allMatch(n -> n.get("status").asString().equals("DELIVERED")));
    }

    private String gate(String name) {
        String gate = GateJob.newGate(name);
        gates.add(gate);
        return gate;
    }

    static Map<String, Object> target(String url, List<String> events) {
        return Map.of("url", url, "events", events);
    }

}
