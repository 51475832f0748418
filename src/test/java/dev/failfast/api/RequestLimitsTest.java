package dev.failfast.api;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.batch.JobError;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Every request field that ends up in a bounded database column (embedded H2 here; the
 * store contract checks the same values on PostgreSQL) is accepted at its limit and
 * refused with a 400 naming it one past it, never a 500 from the database; text that
 * PostgreSQL cannot store (NUL) is refused the same way; job error messages, which job
 * code builds from what clients send, are cut; params far larger than any column limit
 * are kept; list pages cannot start arbitrarily deep; and a batch whose params all have
 * the same hash code is accepted like any other.
 */
@FailfastServerTest
class RequestLimitsTest {

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @ParameterizedTest(name = "{0} of {1} characters")
    @CsvSource(textBlock = """
            name,        200, 201
            label key,   63,  64
            label value, 256, 257
            job id,      128, 129
            """)
    void textFieldsAreAcceptedAtTheirColumnsLimitAndRefusedOnePast(String field, int max, int over) {
        String accepted = client.submit(batchWith(field, "x".repeat(max)));
        assertThat(client.batch(accepted).get("state").asString()).isNotNull();
        if (field.equals("job id")) {
            assertThat(client.job(accepted, "x".repeat(max)).get("id").asString()).hasSize(max);
        }

        ApiClient.Response refused = client.post("/api/v1/batches", batchWith(field, "x".repeat(over)));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("errors").valueStream().map(e -> e.get("field").asString())).singleElement()
            .satisfies(name -> assertThat(name).startsWith(fieldPath(field)));
        client.awaitTerminal(accepted);
    }

    @Test
    void fiftyLabelsAreAcceptedAndFiftyOneRefused() {
        client.awaitTerminal(client.submit(withLabels(50)));

        ApiClient.Response refused = client.post("/api/v1/batches", withLabels(51));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("labels");
    }

    @Test
    void aJobTypeLongerThanItsColumnIsRefusedNamingIt() {
        ApiClient.Response refused = client.post("/api/v1/batches",
                Map.of("jobs", List.of(Map.of("id", "a", "type", "t".repeat(65)))));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("jobs[0].type");
    }

    @Test
    void anIdempotencyKeyIsAcceptedAt255CharactersAndRefusedAt256() {
        var batch = Map.of("jobs", List.of(sleep("a", "PT0S")));
        ApiClient.Response accepted = idempotent(batch, "k".repeat(255));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        client.awaitTerminal(accepted.json().get("id").asString());

        ApiClient.Response refused = idempotent(batch, "k".repeat(256));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body()).as("the key is not echoed").doesNotContain("k".repeat(256));
    }

    @Test
    void aCancelReasonIsKeptAt1000CharactersAndRefusedAt1001() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT1M"))));

        ApiClient.Response refused = client.post("/api/v1/batches/" + id + "/cancel",
                Map.of("reason", "r".repeat(1001)));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("reason");

        ApiClient.Response accepted = client.post("/api/v1/batches/" + id + "/cancel",
                Map.of("reason", "r".repeat(1000)));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(client.awaitTerminal(id).get("cancellation").get("reason").asString()).hasSize(1000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            name,        name
            label value, labels
            """)
    void nulCharactersThatPostgresqlCannotStoreAre400(String field, String path) {
        ApiClient.Response refused = client.post("/api/v1/batches", batchWith(field, "a\u0000b"));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).startsWith(path);
        assertThat(refused.json().get("errors").get(0).get("message").asString()).contains("NUL");
    }

    @Test
    void aNulInACancelReasonIs400() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT1M"))));

        ApiClient.Response refused = client.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "a\u0000b"));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("reason");
        client.post("/api/v1/batches/" + id + "/cancel", Map.of());
        client.awaitTerminal(id);
    }

    @Test
    void paramsOfTwoMegabytesAreStoredAndReadBack() {
        String big = "p".repeat(2 * 1024 * 1024);
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S", Map.of("failMessage", big)))));

        client.awaitTerminal(id);

        assertThat(client.job(id, "a").get("params").get("failMessage").asString()).isEqualTo(big);
    }

    @Test
    void aJobsErrorMessageBuiltFromAHugeParamIsCutAndStorable() {
        String message = "\u0000" + "m".repeat(100_000);
        String id = client
            .submit(Map.of("jobs", List.of(sleep("a", "PT0S", Map.of("failAfter", "PT0S", "failMessage", message)))));

        JsonNode batch = client.awaitTerminal(id);

        JsonNode error = client.job(id, "a").get("error");
        assertThat(error.get("message").asString()).hasSize(JobError.MAX_MESSAGE_LENGTH)
            .startsWith("\uFFFDmmm")
            .doesNotContain("\u0000");
        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        assertThat(batch.get("cancellation").get("message").asString()).hasSize(JobError.MAX_MESSAGE_LENGTH);
    }

    @Test
    void aPageOfBatchesMayStartAtTheMaximumOffsetAndNotBeyond() {
        assertThat(client.get("/api/v1/batches?page=10000&size=1").status()).isEqualTo(200);
        assertThat(client.get("/api/v1/batches?page=10&size=1000").status()).isEqualTo(200);

        ApiClient.Response refused = client.get("/api/v1/batches?page=10001&size=1");

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        JsonNode error = refused.json().get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("page");
        assertThat(error.get("message").asString()).contains("failfast.limits.max-page-offset").contains("label=");
        assertThat(client.get("/api/v1/batches?page=2147483647&size=1000").status()).isEqualTo(400);
        assertThat(client.get("/api/v1/api-keys?page=10001&size=1").status()).isEqualTo(400);
    }

    @Test
    void aBatchsJobsArePagedByPositionToTheEnd() {
        var jobs = IntStream.range(0, 5).mapToObj(i -> sleep("job-" + i, "PT0S")).toList();
        String id = client.submit(Map.of("jobs", jobs));
        client.awaitTerminal(id);

        JsonNode page = client.get("/api/v1/batches/" + id + "/jobs?page=3&size=1").json();
        assertThat(page.get("content").valueStream().map(job -> job.get("id").asString())).containsExactly("job-3");
        assertThat(page.get("page").get("totalElements").asLong()).isEqualTo(5);
        JsonNode last = client.get("/api/v1/batches/" + id + "/jobs?page=2&size=2").json();
        assertThat(last.get("content").valueStream().map(job -> job.get("id").asString())).containsExactly("job-4");
        JsonNode beyond = client.get("/api/v1/batches/" + id + "/jobs?page=1000000&size=1000").json();
        assertThat(beyond.get("content").isEmpty()).isTrue();
        JsonNode filtered = client.get("/api/v1/batches/" + id + "/jobs?state=SUCCEEDED&page=4&size=1").json();
        assertThat(filtered.get("content").valueStream().map(job -> job.get("id").asString())).containsExactly("job-4");
    }

    /**
     * Strings built from "Aa" and "BB" blocks all have one hash code, and so do params
     * made of one of them: before params were told apart by a digest, each of these 100
     * 000 jobs was a linear scan of a hash chain on the request thread.
     */
    @Test
    void aBatchOfOneHundredThousandJobsWhoseParamsCollideIsAccepted() {
        List<Map<String, Object>> jobs = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            jobs.add(sleep("j" + i, "PT0S", Map.of("failMessage", colliding(i))));
        }
        assertThat(colliding(1).hashCode()).isEqualTo(colliding(99_999).hashCode());

        ApiClient.Response response = client.post("/api/v1/batches", Map.of("jobs", jobs, "maxParallelism", 1));

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        String id = response.json().get("id").asString();
        assertThat(response.json().get("counts").get("total").asInt()).isEqualTo(100_000);
        client.post("/api/v1/batches/" + id + "/cancel", Map.of());
        client.awaitTerminal(id);
        assertThat(client.job(id, "j99999").get("params").get("failMessage").asString()).isEqualTo(colliding(99_999));
    }

    /** The {@code n}th string of 17 blocks, each "Aa" or "BB": all hash alike. */
    static String colliding(int n) {
        StringBuilder s = new StringBuilder(34);
        for (int bit = 16; bit >= 0; bit--) {
            s.append((n >> bit & 1) == 0 ? "Aa" : "BB");
        }
        return s.toString();
    }

    private ApiClient.Response idempotent(Object batch, String key) {
        return client.send(HttpRequest.newBuilder(client.uri("/api/v1/batches"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(ApiClient.json(batch))));
    }

    private static Map<String, Object> batchWith(String field, String value) {
        Map<String, Object> batch = new HashMap<>();
        String jobId = field.equals("job id") ? value : "a";
        batch.put("jobs", List.of(sleep(jobId, "PT0S")));
        switch (field) {
            case "name" -> batch.put("name", value);
            case "label key" -> batch.put("labels", Map.of(value, "v"));
            case "label value" -> batch.put("labels", Map.of("k", value));
            default -> {
            }
        }
        return batch;
    }

    private static String fieldPath(String field) {
        return switch (field) {
            case "name" -> "name";
            case "label key", "label value" -> "labels";
            default -> "jobs[0].id";
        };
    }

    private static Map<String, Object> withLabels(int count) {
        Map<String, String> labels = new HashMap<>();
        IntStream.range(0, count).forEach(i -> labels.put("k" + i, "v"));
        return Map.of("labels", labels, "jobs", List.of(sleep("a", "PT0S")));
    }

}
