package dev.failfast.engine;

import static dev.failfast.batch.TestBatches.CALLER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.store.BatchStore;
import dev.failfast.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Idempotent submit, deletion and the retention purge, over real HTTP on the default
 * (JDBC, H2) store.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "failfast.retention.ttl=0s", "failfast.retention.purge-interval=1h" })
class IdempotencyAndRetentionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final String QUICK = """
            {"name": "quick", "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT0S"}}]}""";

    private static final String QUICK_REORDERED = """
            {"jobs": [{"params": {"duration": "PT0S"}, "type": "sleep", "id": "a"}], "name": "quick"}""";

    private static final String SLOW = """
            {"name": "slow", "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT60S"}}]}""";

    @LocalServerPort
    int port;

    @Autowired
    BatchRetention retention;

    @Autowired
    BatchStore store;

    @Autowired
    BatchEngine engine;

    @Test
    void theSameKeyAndBodyReturnTheSameBatchAndAnotherBodyIsRefused() throws Exception {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = post(QUICK, key);
        assertThat(first.statusCode()).isEqualTo(202);
        String id = json(first).path("id").asString();

        HttpResponse<String> again = post(QUICK_REORDERED, key);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).path("id").asString()).isEqualTo(id);
        assertThat(again.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith(id));

        HttpResponse<String> other = post(SLOW, key);
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(other.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(other).path("type").asString())
            .isEqualTo("https://failfast.dev/problems/idempotency-key-reused");
        assertThat(json(other).path("batchId").asString()).isEqualTo(id);

        assertThat(post(QUICK, UUID.randomUUID().toString()).statusCode()).as("another key").isEqualTo(202);
        assertThat(post(QUICK, "x".repeat(256)).statusCode()).as("key too long").isEqualTo(400);
    }

    @Test
    void deleteRemovesTheJobsTooAndFreesTheKey() throws Exception {
        String key = UUID.randomUUID().toString();
        String id = json(post(QUICK, key)).path("id").asString();
        awaitTerminal(id);

        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/batches/" + id)).DELETE()).statusCode()).isEqualTo(204);
        assertThat(store.findJob(UUID.fromString(id), "a")).isEmpty();
        assertThat(get("/api/v1/batches/" + id + "/jobs/a").statusCode()).isEqualTo(404);
        HttpResponse<String> reused = post(SLOW, key);
        assertThat(reused.statusCode()).as("the key expired with its batch").isEqualTo(202);
        engine.cancel(CALLER, UUID.fromString(json(reused).path("id").asString()), "test over");
    }

    @Test
    void thePurgeDeletesFinishedBatchesPastTheirTtlButNoActiveOne() throws Exception {
        String key = UUID.randomUUID().toString();
        String done = json(post(QUICK, key)).path("id").asString();
        String active = json(post(SLOW, null)).path("id").asString();
        awaitTerminal(done);

        assertThat(retention.purge()).isPositive();

        assertThat(get("/api/v1/batches/" + done).statusCode()).isEqualTo(404);
        assertThat(store.findJob(UUID.fromString(done), "a")).isEmpty();
        assertThat(store.findByIdempotencyKey("default", key)).isEmpty();
        assertThat(get("/api/v1/batches/" + active).statusCode()).isEqualTo(200);
        engine.cancel(CALLER, UUID.fromString(active), "test over");
    }

    private void awaitTerminal(String id) {
        String state = await().atMost(Duration.ofSeconds(30))
            .until(() -> json(get("/api/v1/batches/" + id)).path("state").asString(), ApiClient.TERMINAL::contains);
        assertThat(state).isEqualTo("SUCCEEDED");
    }

    private HttpResponse<String> post(String body, String key) throws Exception {
        var request = HttpRequest.newBuilder(uri("/api/v1/batches"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return send(request);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.header("Authorization", "Bearer " + TestKeys.ADMIN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

}
