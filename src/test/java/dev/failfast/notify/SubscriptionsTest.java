package dev.failfast.notify;

import static dev.failfast.ApiClient.sleep;
import static dev.failfast.notify.NotificationsTest.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.testing.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A tenant's standing subscriptions over the API: the secret shown once, every batch of
 * the tenant told (and no other tenant's), a rotation signing with both secrets for
 * {@code rotation-overlap} (5s in {@link NotificationServerTest}), deletion, the limit
 * per tenant (3 there), and the scope they need.
 */
@NotificationServerTest
class SubscriptionsTest {

    @LocalServerPort
    int port;

    ApiClient admin;

    ApiClient tenant;

    String tenantName;

    @AutoClose
    final WebhookReceiver receiver = WebhookReceiver.verifying();

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port);
        tenantName = "subs-" + UUID.randomUUID().toString().substring(0, 8);
        tenant = admin.withNewKey(tenantName, "batches:write", "batches:read", "subscriptions:manage");
    }

    @Test
    void aGeneratedSecretIsShownOnceAndSignsEveryBatchOfTheTenantAndNoOthers() {
        ApiClient.Response created = tenant.post("/api/v1/subscriptions",
                target(receiver.url("/all"), List.of("batch.finished")));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        String secret = created.json().get("secret").asString();
        assertThat(WebhookSignatures.isValidSecret(secret)).isTrue();
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/subscriptions/" + id);
        assertThat(created.json().get("events").toString()).isEqualTo("[\"batch.finished\"]");
        JsonNode got = tenant.get("/api/v1/subscriptions/" + id).json();
        assertThat(got.get("id").asString()).isEqualTo(id);
        assertThat(got.has("secret")).isFalse();
        JsonNode listed = tenant.get("/api/v1/subscriptions").json();
        assertThat(listed.valueStream().map(s -> s.get("id").asString())).containsExactly(id);
        assertThat(listed.toString()).doesNotContain(secret);
        receiver.trust(secret);

        ApiClient other = admin.withNewKey(tenantName + "-other", "batches:write", "batches:read");
        String othersBatch = other.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        other.awaitTerminal(othersBatch);
        String first = tenant.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        String second = tenant.submit(Map.of("jobs", List.of(sleep("b", "PT0S", Map.of("failAfter", "PT0S")))));

        WebhookReceiver.Delivery one = receiver.awaitEvent(first, "batch.finished");
        WebhookReceiver.Delivery two = receiver.awaitEvent(second, "batch.finished");
        assertThat(one.signedBy(secret)).isTrue();
        assertThat(one.json().get("data").get("tenant").asString()).isEqualTo(tenantName);
        assertThat(two.json().get("data").get("state").asString()).isEqualTo("FAILED");
        JsonNode notification = tenant.get("/api/v1/batches/" + first + "/notifications").json().get(0);
        assertThat(notification.get("target").asString()).isEqualTo("subscription:" + id);
        assertThat(receiver.requests()).noneMatch(d -> d.batchId().equals(othersBatch));
        assertThat(other.get("/api/v1/batches/" + othersBatch + "/notifications").json()).isEmpty();
        assertThat(other.as(null).get("/api/v1/subscriptions").status()).isEqualTo(401);
    }

    @Test
    void aRotatedSecretSignsBesideThePreviousOneUntilTheOverlapEnds() {
        JsonNode created = tenant
            .post("/api/v1/subscriptions", target(receiver.url("/rotate"), List.of("batch.finished")))
            .json();
        String id = created.get("id").asString();
        String old = created.get("secret").asString();

        ApiClient.Response rotated = tenant.post("/api/v1/subscriptions/" + id + "/rotate-secret", "");

        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String next = rotated.json().get("secret").asString();
        assertThat(next).isNotEqualTo(old);
        assertThat(WebhookSignatures.isValidSecret(next)).isTrue();
        Instant overlapEnds = Instant.parse(rotated.json().get("previousSecretExpiresAt").asString());
        assertThat(tenant.get("/api/v1/subscriptions/" + id).json().has("secret")).isFalse();
        receiver.trust(old);
        String during = tenant.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        WebhookReceiver.Delivery both = receiver.awaitEvent(during, "batch.finished");
        assertThat(both.signatures()).hasSize(2);
        assertThat(both.signedBy(old)).as("a receiver that knows only the old secret").isTrue();
        assertThat(both.signedBy(next)).as("a receiver that knows only the new secret").isTrue();

        await().atMost(Duration.ofSeconds(20))
            .until(() -> tenant.get("/api/v1/subscriptions/" + id).json().get("previousSecretExpiresAt").isNull());
        assertThat(Instant.now()).isAfterOrEqualTo(overlapEnds);
        receiver.trust(next);
        String after = tenant.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));

        WebhookReceiver.Delivery newOnly = receiver.awaitEvent(after, "batch.finished");
        assertThat(newOnly.signatures()).hasSize(1);
        assertThat(newOnly.signedBy(next)).isTrue();
        assertThat(newOnly.signedBy(old)).isFalse();

        String chosen = WebhookSignatures.newSecret();
        ApiClient.Response toChosen = tenant.post("/api/v1/subscriptions/" + id + "/rotate-secret",
                Map.of("secret", chosen));
        assertThat(toChosen.status()).isEqualTo(200);
        assertThat(toChosen.json().has("secret")).as("a secret the client chose is not echoed").isFalse();
        assertThat(toChosen.body()).doesNotContain(chosen);
        ApiClient.Response invalid = tenant.post("/api/v1/subscriptions/" + id + "/rotate-secret",
                Map.of("secret", "whsec_short"));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("errors").get(0).get("field").asString()).isEqualTo("secret");
    }

    @Test
    void aDeletedSubscriptionIsGoneAndNotifiesNoMore() {
        String id = tenant.post("/api/v1/subscriptions", target(receiver.url("/gone"), List.of("batch.finished")))
            .json()
            .get("id")
            .asString();

        ApiClient.Response deleted = tenant.delete("/api/v1/subscriptions/" + id);

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(tenant.get("/api/v1/subscriptions/" + id).status()).isEqualTo(404);
        assertThat(tenant.delete("/api/v1/subscriptions/" + id).status()).isEqualTo(404);
        assertThat(tenant.post("/api/v1/subscriptions/" + id + "/rotate-secret", "").status()).isEqualTo(404);
        assertThat(tenant.get("/api/v1/subscriptions").json()).isEmpty();
        String batch = tenant.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        tenant.awaitTerminal(batch);
        assertThat(tenant.get("/api/v1/batches/" + batch + "/notifications").json()).isEmpty();
    }

    @Test
    void anotherTenantsSubscriptionIsNotFound() {
        String id = tenant.post("/api/v1/subscriptions", target(receiver.url("/mine"), List.of("batch.failed")))
            .json()
            .get("id")
            .asString();
        ApiClient stranger = admin.withNewKey(tenantName + "-stranger", "subscriptions:manage");

        assertThat(stranger.get("/api/v1/subscriptions/" + id).status()).isEqualTo(404);
        assertThat(stranger.delete("/api/v1/subscriptions/" + id).status()).isEqualTo(404);
        assertThat(stranger.post("/api/v1/subscriptions/" + id + "/rotate-secret", "").status()).isEqualTo(404);
        assertThat(stranger.get("/api/v1/subscriptions").json()).isEmpty();
        assertThat(tenant.get("/api/v1/subscriptions/" + id).status()).isEqualTo(200);
    }

    @Test
    void aTenantHasAtMostMaxSubscriptionsPerTenant() {
        for (int i = 0; i < 3; i++) {
            assertThat(tenant.post("/api/v1/subscriptions", target(receiver.url("/n" + i), List.of("batch.failed")))
                .status()).isEqualTo(201);
        }

        ApiClient.Response fourth = tenant.post("/api/v1/subscriptions",
                target(receiver.url("/n3"), List.of("batch.failed")));

        assertThat(fourth.status()).as(fourth.body()).isEqualTo(409);
        assertThat(fourth.contentType()).startsWith("application/problem+json");
        assertThat(tenant.get("/api/v1/subscriptions").json()).hasSize(3);
        ApiClient another = admin.withNewKey(tenantName + "-another", "subscriptions:manage");
        assertThat(another.post("/api/v1/subscriptions", target(receiver.url("/x"), List.of("batch.failed"))).status())
            .as("the limit is per tenant")
            .isEqualTo(201);
    }

    @Test
    void subscriptionsNeedTheirScope() {
        ApiClient writer = admin.withNewKey(tenantName, "batches:write", "batches:read", "batches:cancel",
                "batches:delete");
        Map<String, Object> body = target(receiver.url("/scope"), List.of("batch.failed"));
        String someId = UUID.randomUUID().toString();

        assertThat(writer.post("/api/v1/subscriptions", body).status()).isEqualTo(403);
        assertThat(writer.get("/api/v1/subscriptions").status()).isEqualTo(403);
        assertThat(writer.get("/api/v1/subscriptions/" + someId).status()).isEqualTo(403);
        assertThat(writer.delete("/api/v1/subscriptions/" + someId).status()).isEqualTo(403);
        assertThat(writer.post("/api/v1/subscriptions/" + someId + "/rotate-secret", "").status()).isEqualTo(403);
        ApiClient anonymous = admin.as(null);
        assertThat(anonymous.post("/api/v1/subscriptions", body).status()).isEqualTo(401);
        assertThat(anonymous.get("/api/v1/subscriptions").status()).isEqualTo(401);
        assertThat(admin.get("/api/v1/subscriptions").status()).as("admin holds every scope").isEqualTo(200);
    }

}
