package dev.failfast.notify;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Notification targets refused at submission, each a problem+json 400 naming the field,
 * and no batch made. This context configures no default signing secret, so a target must
 * bring its own.
 */
@FailfastServerTest
class NotificationValidationTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @Test
    void aMetadataAddressIsRefusedByTheHttpJobsSsrfPolicy() {
        assertRefused(target("http://169.254.169.254/latest/meta-data", SECRET), "notifications[0].url");
    }

    @Test
    void aDeniedPortIsRefused() {
        assertRefused(target("http://127.0.0.1:22/hook", SECRET), "notifications[0].url");
    }

    @Test
    void aUrlThatIsNotHttpIsRefused() {
        assertRefused(target("ftp://127.0.0.1:2121/hook", SECRET), "notifications[0].url");
        assertRefused(target("not a url", SECRET), "notifications[0].url");
    }

    @Test
    void aSecretThatIsNotAStandardWebhooksSecretIsRefusedWithoutEchoingIt() {
        JsonNode problem = assertRefused(target("http://127.0.0.1:8999/hook", "whsec_c2hvcnQ="),
                "notifications[0].secret");

        assertThat(problem.toString()).doesNotContain("whsec_c2hvcnQ=");
    }

    @Test
    void withoutASecretOrADefaultATargetIsRefused() {
        var target = new LinkedHashMap<>(target("http://127.0.0.1:8999/hook", SECRET));
        target.remove("secret");

        assertRefused(target, "notifications[0].secret");
    }

    @Test
    void aHeaderTheWebhookSetsItselfIsRefused() {
        var target = new LinkedHashMap<>(target("http://127.0.0.1:8999/hook", SECRET));
        target.put("headers", Map.of("webhook-signature", "v1,forged"));

        assertRefused(target, "notifications[0].headers.webhook-signature");
    }

    @Test
    void anUnknownSecretReferenceInAHeaderIsRefused() {
        var target = new LinkedHashMap<>(target("http://127.0.0.1:8999/hook", SECRET));
        target.put("headers", Map.of("X-Token", Map.of("secretRef", "no-such-secret")));

        assertRefused(target, "notifications[0].headers.X-Token");
    }

    @Test
    void anUnknownEventIsRefused() {
        var target = new LinkedHashMap<>(target("http://127.0.0.1:8999/hook", SECRET));
        target.put("events", List.of("batch.exploded"));

        JsonNode problem = assertRefused(target, null);

        assertThat(problem.get("errors").get(0).get("field").asString()).startsWith("notifications[0].events");
    }

    @Test
    void noEventsAreRefused() {
        var target = new LinkedHashMap<>(target("http://127.0.0.1:8999/hook", SECRET));
        target.put("events", List.of());

        assertRefused(target, "notifications[0].events");
    }

    @Test
    void moreTargetsThanMaxTargetsPerBatchAreRefused() {
        List<Map<String, Object>> targets = IntStream.range(0, 11)
            .mapToObj(i -> target("http://127.0.0.1:8999/hook" + i, SECRET))
            .toList();

        ApiClient.Response response = submit(targets);

        assertProblem(response, "notifications");
    }

    @Test
    void theSecondOfTwoTargetsIsNamedByItsIndex() {
        ApiClient.Response response = submit(
                List.of(target("http://127.0.0.1:8999/fine", SECRET), target("http://169.254.169.254/", SECRET)));

        assertProblem(response, "notifications[1].url");
    }

    @Test
    void aSubscriptionIsCheckedAsATargetIsWithFieldsOfItsOwn() {
        ApiClient.Response response = client.post("/api/v1/subscriptions", target("http://169.254.169.254/", SECRET));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").valueStream().map(e -> e.get("field").asString())).contains("url");
    }

    private JsonNode assertRefused(Map<String, Object> target, String field) {
        ApiClient.Response response = submit(List.of(target));
        return assertProblem(response, field);
    }

    private JsonNode assertProblem(ApiClient.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        if (field != null) {
            assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString())).as(response.body())
                .contains(field);
        }
        assertThat(client.get("/api/v1/batches?label=test:notification-validation").json().get("content")).isEmpty();
        return problem;
    }

    private ApiClient.Response submit(List<? extends Map<String, Object>> targets) {
        return client.post("/api/v1/batches", Map.of("labels", Map.of("test", "notification-validation"), "jobs",
                List.of(sleep("a", "PT0S")), "notifications", targets));
    }

    private static Map<String, Object> target(String url, String secret) {
        return Map.of("url", url, "events", List.of("batch.failed"), "secret", secret);
    }

}
