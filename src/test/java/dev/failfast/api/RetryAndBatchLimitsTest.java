package dev.failfast.api;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * One submission cannot amplify itself against a failing target, and many small batches
 * cannot pile up: retries wait at least {@code failfast.limits.min-retry-backoff}, a
 * batch makes at most {@code max-attempts-per-batch} attempts in all (400 naming the
 * field), and no more than {@code max-active-batches} batches are active at once (429).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.engine.cancel-grace=1s", "failfast.shutdown.drain-timeout=1s",
                "failfast.limits.max-attempts-per-batch=100000", "failfast.limits.max-active-batches=2" })
class RetryAndBatchLimitsTest {

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @Test
    void aRetryWithoutBackoffIsRefusedNamingTheField() {
        ApiClient.Response refused = client.post("/api/v1/batches",
                Map.of("jobs", List.of(withRetry("a", 100, "PT0S"))));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        JsonNode error = refused.json().get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("jobs[0].retry.backoff");
        assertThat(error.get("message").asString()).contains("failfast.limits.min-retry-backoff");
    }

    @Test
    void aBatchWhoseJobsWouldMakeMoreAttemptsThanAllowedIsRefusedNamingTheJobThatGoesOver() {
        // 1001 jobs of 100 attempts: 100 100 attempts, 100 over the limit.
        var jobs = IntStream.range(0, 1001).mapToObj(i -> withRetry("j" + i, 100, "PT1S")).toList();

        ApiClient.Response refused = client.post("/api/v1/batches", Map.of("jobs", jobs));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        JsonNode error = refused.json().get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("jobs[1000].retry.maxAttempts");
        assertThat(error.get("message").asString()).contains("at most 100000").contains("make 100100");

        String atTheLimit = client.submit(Map.of("jobs", jobs.subList(0, 1000)));
        client.post("/api/v1/batches/" + atTheLimit + "/cancel", Map.of());
        client.awaitTerminal(atTheLimit);
    }

    @Test
    void beyondTheActiveBatchesLimitASubmissionIs429UntilOneEnds() {
        String first = client.submit(Map.of("jobs", List.of(sleep("a", "PT1M"))));
        String second = client.submit(Map.of("jobs", List.of(sleep("a", "PT1M"))));

        ApiClient.Response refused = client.post("/api/v1/batches", Map.of("jobs", List.of(sleep("a", "PT0S"))));

        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().get("limit").asString()).isEqualTo("active-batches");
        assertThat(refused.json().get("title").asString()).as("titled after its limit, not pending jobs")
            .isEqualTo("Too many active batches");
        assertThat(refused.json().get("type").asString())
            .isEqualTo("https://failfast.dev/problems/too-many-pending-jobs");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(client.get("/api/v1/batches/" + first).status()).as("reads still answer").isEqualTo(200);

        client.post("/api/v1/batches/" + first + "/cancel", Map.of());
        client.awaitTerminal(first);
        String third = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        client.awaitTerminal(third);
        client.post("/api/v1/batches/" + second + "/cancel", Map.of());
        client.awaitTerminal(second);
    }

    private static Map<String, Object> withRetry(String id, int maxAttempts, String backoff) {
        return Map.of("id", id, "type", "sleep", "params", Map.of("duration", "PT0S"), "retry",
                Map.of("maxAttempts", maxAttempts, "backoff", backoff));
    }

}
