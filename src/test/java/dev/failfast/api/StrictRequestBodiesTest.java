package dev.failfast.api;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A field a request body does not declare, at any depth, is a 400 problem naming it,
 * instead of being dropped: a mistyped {@code maxFailures} must not run a batch without
 * the tolerance the client meant. Job params and labels stay free-form: each job type's
 * handler checks its params.
 */
@FailfastServerTest
class StrictRequestBodiesTest {

    @LocalServerPort
    int port;

    private ApiClient client;

    @BeforeEach
    void tenantClient() {
        client = new ApiClient(port).withNewKey("strict-" + UUID.randomUUID().toString().substring(0, 8),
                "batches:read", "batches:write", "batches:cancel");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|',
            textBlock = """
                    maxFailurez          | {"maxFailurez": 3, "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT0S"}}]}
                    jobs[0].retyr        | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT0S"}, "retyr": {"maxAttempts": 3}}]}
                    jobs[1].retry.tries  | {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT0S"}}, {"id": "b", "type": "sleep", "params": {"duration": "PT0S"}, "retry": {"tries": 3}}]}
                    """)
    void anUnknownFieldOfABatchIsAProblemNamingItAndNoBatchRuns(String field, String body) {
        ApiClient.Response response = client.post("/api/v1/batches", body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).isEqualTo("https://failfast.dev/problems/invalid-request");
        assertThat(problem.get("errors")).hasSize(1);
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo(field);
        assertThat(problem.get("errors").get(0).get("message").asString()).startsWith("unknown field; known fields: [");
        assertThat(client.get("/api/v1/batches").json().get("content")).isEmpty();
    }

    /**
     * The example of docs/api.md: the first unknown field, and the fields its object
     * takes.
     */
    @Test
    void theMessageListsTheFieldsTheObjectTakes() {
        ApiClient.Response response = client.post("/api/v1/batches", """
                {"maxFailurez": 3, "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}}]}""");
        ApiClient.Response retry = client.post("/api/v1/batches", Map.of("jobs", List.of(Map.of("id", "a", "type",
                "sleep", "params", Map.of("duration", "PT0S"), "retry", Map.of("maxAttempts", 2, "backof", "PT1S")))));

        assertThat(response.json().get("errors").valueStream().map(JsonNode::toString)).containsExactly(
                "{\"field\":\"maxFailurez\",\"message\":\"unknown field; known fields: [deadline, failurePolicy, jobs, "
                        + "labels, maxFailureRatio, maxFailures, maxParallelism, minJobsForRatio, name, notifications, "
                        + "onError, succeedWhen]\"}");
        assertThat(retry.json().get("errors").get(0).get("message").asString())
            .isEqualTo("unknown field; known fields: [backoff, maxAttempts, maxBackoff, multiplier]");
    }

    /**
     * Params are the job type's business: every job's unknown param is reported (the
     * handlers' checks collect them all), labels take any key, and a null stands for an
     * absent optional field.
     */
    @Test
    void paramsAndLabelsStayFreeFormAndNullsStandForAbsentFields() {
        ApiClient.Response unknownParams = client.post("/api/v1/batches", Map.of("jobs",
                List.of(sleep("a", "PT0S", Map.of("durashun", "PT1S")), sleep("b", "PT0S", Map.of("stepz", 3)))));
        String accepted = client.submit("""
                {"name": null, "labels": {"any-key": "any value", "team/x.y": "z"}, "maxFailures": null,
                 "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT0S"}, "retry": null}]}""");

        assertThat(unknownParams.status()).as(unknownParams.body()).isEqualTo(400);
        assertThat(unknownParams.json().get("errors").valueStream().map(error -> error.get("field").asString()))
            .containsExactly("jobs[0].params.durashun", "jobs[1].params.stepz");
        assertThat(client.awaitTerminal(accepted).get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void anUnknownFieldOfACancelRequestIsAProblemAndTheBatchRunsOn() {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT60S"))));

        ApiClient.Response response = client.post("/api/v1/batches/" + id + "/cancel", "{\"reasn\": \"typo\"}");

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("reasn");
        assertThat(client.batch(id).get("state").asString()).isIn("QUEUED", "RUNNING");
        assertThat(client.post("/api/v1/batches/" + id + "/cancel", "{\"reason\": \"done\"}").status()).isEqualTo(202);
    }

    @Test
    void anUnknownFieldOfAnApiKeyRequestIsAProblemAndNoKeyIsCreated() {
        ApiClient admin = new ApiClient(port);
        ApiClient.Response response = admin.post("/api/v1/api-keys",
                Map.of("name", "typo", "tenant", "strict-keys", "scopes", List.of("batches:read"), "expires", "P1D"));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("expires");
        assertThat(admin.get("/api/v1/api-keys?tenant=strict-keys").json().get("content")).isEmpty();
    }

}
