package dev.failfast.api;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Every client mistake gets a problem+json answer with a stable type, never a 500 or a
 * stack trace: end to end, for what needs the whole service (the engine's validation of
 * job types, params, ids and durations, Tomcat refusing large bodies, 404 and 409 from
 * the real engine). What the web layer refuses by itself (bean validation, JSON binding,
 * query parameters, 405, 415, …) is tested in the {@code ProblemResponsesWebTest} slice.
 */
@FailfastServerTest
class ProblemResponsesTest {

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|',
            textBlock = """
                    unknown job type        | {"jobs": [{"id": "a", "type": "sleeep"}]}                                     | jobs[0].type            | unknown job type 'sleeep'
                    missing sleep duration  | {"jobs": [{"id": "a", "type": "sleep", "params": {}}]}                        | jobs[0].params.duration | must not be null
                    unknown param           | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S", "x": 1}}]} | jobs[0].params.x     | unknown
                    bad param duration      | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "soon"}}]}      | jobs[0].params.duration | duration
                    year-long sleep         | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "P366D"}}]}     | jobs[0].params.duration | at most 365 days
                    negative sleep          | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "-PT1S"}}]}     | jobs[0].params.duration | must not be negative
                    huge deadline           | {"deadline": "PT9999999999999H", "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}}]} | deadline | at most PT8760H (365 days)
                    huge timeout            | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}, "timeout": "P400D"}]} | jobs[0].timeout | at most PT8760H
                    huge backoff            | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}, "retry": {"maxAttempts": 2, "backoff": "P9999999D", "maxBackoff": "P9999999D"}}]} | jobs[0].retry.backoff | at most PT8760H
                    duplicate job ids       | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}}, {"id": "a", "type": "sleep", "params": {"duration": "PT1S"}}]} | jobs[1].id | duplicate job id 'a'
                    http url not absolute   | {"jobs": [{"id": "a", "type": "http", "params": {"url": "example.com"}}]}     | jobs[0].params.url      | http
                    http target denied      | {"jobs": [{"id": "a", "type": "http", "params": {"url": "http://metadata.google.internal/x"}}]} | jobs[0].params.url | denied
                    """)
    void batchesTheEngineRefusesAre400WithTheFieldAtFault(String name, String body, String field, String message) {
        ApiClient.Response response = client.post("/api/v1/batches", body);

        assertProblem(response, 400, "invalid-request");
        JsonNode errors = response.json().get("errors");
        assertThat(errors.valueStream()).as(response.body()).anySatisfy(error -> {
            assertThat(error.get("field").asString()).startsWith(field);
            assertThat(error.get("message").asString()).containsIgnoringCase(message);
        });
    }

    @Test
    void everyInvalidJobIsReportedAtOnce() {
        ApiClient.Response response = client.post("/api/v1/batches",
                Map.of("jobs",
                        List.of(Map.of("id", "a", "type", "nope"),
                                Map.of("id", "b", "type", "sleep", "params", Map.of()),
                                Map.of("id", "a", "type", "sleep", "params", Map.of("duration", "PT1S")))));

        assertProblem(response, 400, "invalid-request");
        assertThat(response.json().get("errors").valueStream().map(e -> e.get("field").asString()))
            .containsExactlyInAnyOrder("jobs[0].type", "jobs[1].params.duration", "jobs[2].id");
    }

    @Test
    void moreJobsThanTheLimitIs400() {
        List<Object> jobs = IntStream.range(0, 100_001).mapToObj(i -> (Object) sleep("j" + i, "PT0S")).toList();

        ApiClient.Response response = client.post("/api/v1/batches", Map.of("jobs", jobs));

        assertProblem(response, 400, "invalid-request");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("jobs");
        assertThat(response.json().get("errors").get(0).get("message").asString()).contains("at most 100000 jobs");
    }

    @Test
    void bodyLargerThanTheLimitIs413() {
        String padding = " ".repeat(17 * 1024 * 1024);

        // Like curl, announce a large body and wait for the server's go-ahead: the server
        // refuses it unread.
        ApiClient.Response response = client.send(HttpRequest.newBuilder(client.uri("/api/v1/batches"))
            .header("Content-Type", "application/json")
            .expectContinue(true)
            .POST(HttpRequest.BodyPublishers.ofString("{\"jobs\": []" + padding + "}")));

        assertProblem(response, 413, "request-too-large");
    }

    @Test
    void chunkedBodyLargerThanTheLimitIs413() {
        byte[] chunk = " ".repeat(1024 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        var body = HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.SequenceInputStream(
                        java.util.Collections.enumeration(java.util.stream.Stream
                            .concat(java.util.stream.Stream.of(new java.io.ByteArrayInputStream(
                                    "{\"jobs\": []".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                                    IntStream.range(0, 17).mapToObj(i -> new java.io.ByteArrayInputStream(chunk)))
                            .toList())));

        ApiClient.Response response = client.send(HttpRequest.newBuilder(client.uri("/api/v1/batches"))
            .header("Content-Type", "application/json")
            .POST(body));

        assertProblem(response, 413, "request-too-large");
    }

    @Test
    void unknownBatchIs404() {
        String path = "/api/v1/batches/" + UUID.randomUUID();

        assertProblem(client.get(path), 404, "not-found");
        assertProblem(client.get(path + "/jobs"), 404, "not-found");
        assertProblem(client.get(path + "/jobs/a"), 404, "not-found");
        assertProblem(client.post(path + "/cancel", Map.of()), 404, "not-found");
        assertProblem(client.delete(path), 404, "not-found");
        assertProblem(client.get(path + "/events"), 404, "not-found");
    }

    @Test
    void cancellingAFinishedBatchIs409() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        client.awaitTerminal(id);

        ApiClient.Response response = client.post("/api/v1/batches/" + id + "/cancel", Map.of());

        assertProblem(response, 409, "conflict");
        assertThat(response.json().get("state").asString()).isEqualTo("SUCCEEDED");
    }

    private static void assertProblem(ApiClient.Response response, int status, String kind) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).isEqualTo("https://failfast.dev/problems/" + kind);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception", "\tat ", "trace");
    }

}
