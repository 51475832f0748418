package dev.failfast.api;

import static dev.failfast.api.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.engine.AdmissionLimit;
import dev.failfast.engine.AdmissionRejectedException;
import dev.failfast.engine.EngineUnavailableException;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import tools.jackson.databind.JsonNode;

/**
 * How {@link ProblemHandler} and {@link RequestSizeLimitFilter} answer what the web layer
 * refuses by itself (unreadable or invalid bodies, bad parameters, wrong methods and
 * media types, bodies over the limit) and what the engine refuses with (429, 503), and
 * that no answer names an exception. What only the engine can check (job types and
 * params, duplicate ids, limits on durations) stays in the end-to-end
 * {@code ProblemResponsesTest}.
 */
@ApiSliceTest
class ProblemResponsesWebTest {

    static final String BATCHES = "/api/v1/batches";
    static final String ONE_JOB = """
            {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}}]}""";

    @Autowired
    MockMvcTester mvc;

    @Autowired
    FakeBatchEngine engine;

    @BeforeEach
    void reset() {
        engine.reset();
    }

    /**
     * Moved here from ProblemResponsesTest: bean validation, binding and BatchSpecMapper
     * run before the engine.
     */
    static Stream<Arguments> invalidBodies() {
        return Stream.of(invalid("malformed JSON", "{'jobs': [", "body", "malformed JSON"),
                invalid("no body fields", "{}", "jobs", "must not be empty"),
                invalid("empty job list", "{'jobs': []}", "jobs", "must not be empty"),
                invalid("job list not an array", "{'jobs': 'x'}", "jobs", "invalid value"),
                invalid("missing job id", "{'jobs': [{'type': 'sleep'}]}", "jobs[0].id", "must not be null"),
                invalid("bad job id", "{'jobs': [{'id': 'a b', 'type': 'sleep'}]}", "jobs[0].id", "must match"),
                invalid("missing job type", "{'jobs': [{'id': 'a'}]}", "jobs[0].type", "must not be null"),
                invalid("bad timeout", "{'jobs': [{'id': 'a', 'type': 'sleep', 'timeout': '1s'}]}", "jobs[0].timeout",
                        "invalid duration '1s'"),
                invalid("negative timeout", "{'jobs': [{'id': 'a', 'type': 'sleep', 'timeout': '-PT1S'}]}",
                        "jobs[0].timeout", "positive"),
                invalid("zero deadline", "{'deadline': 'PT0S', 'jobs': [{'id': 'a', 'type': 'sleep'}]}", "deadline",
                        "positive"),
                invalid("unknown policy", "{'failurePolicy': 'SOMETIMES', 'jobs': [{'id': 'a', 'type': 'sleep'}]}",
                        "failurePolicy", "FAIL_FAST"),
                invalid("zero parallelism", "{'maxParallelism': 0, 'jobs': [{'id': 'a', 'type': 'sleep'}]}",
                        "maxParallelism", "greater than or equal to 1"),
                invalid("negative maxFailures", "{'maxFailures': -1, 'jobs': [{'id': 'a', 'type': 'sleep'}]}",
                        "maxFailures", "greater than or equal to 0"),
                invalid("bad retry", "{'jobs': [{'id': 'a', 'type': 'sleep', 'retry': {'maxAttempts': 0}}]}",
                        "jobs[0].retry.maxAttempts", "greater than or equal to 1"),
                invalid("backoff over its cap",
                        "{'jobs': [{'id': 'a', 'type': 'sleep', 'retry': "
                                + "{'maxAttempts': 2, 'backoff': 'PT1M', 'maxBackoff': 'PT1S'}}]}",
                        "jobs[0].retry.maxBackoff", "at least backoff"),
                invalid("bad label key", "{'labels': {'a b': 'x'}, 'jobs': [{'id': 'a', 'type': 'sleep'}]}", "labels",
                        "must match"));
    }

    /**
     * A case of {@link #invalidBodiesAre400WithTheFieldAtFault}; the body in single
     * quotes, for legibility.
     */
    private static Arguments invalid(String name, String body, String field, String message) {
        return Arguments.argumentSet(name, body.replace('\'', '"'), field, message);
    }

    @ParameterizedTest
    @MethodSource("invalidBodies")
    void invalidBodiesAre400WithTheFieldAtFault(String body, String field, String message) {
        JsonNode problem = assertProblem(post(body), 400, "invalid-request");

        assertThat(problem.get("errors").valueStream()).as(problem.toString()).anySatisfy(error -> {
            assertThat(error.get("field").asString()).startsWith(field);
            assertThat(error.get("message").asString()).containsIgnoringCase(message);
        });
        assertThat(problem.get("detail").asString()).matches("The request has \\d+ invalid field\\(s\\)\\.");
        assertThat(engine.submitted()).as("nothing invalid reaches the engine").isEmpty();
    }

    @Test
    void everyBadFieldIsReportedAtOnce() {
        JsonNode problem = assertProblem(post("""
                {"maxParallelism": 0, "jobs": [{"id": "a b", "type": "sleep"}, {"type": "sleep"}]}"""), 400,
                "invalid-request");

        assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString()))
            .containsExactlyInAnyOrder("maxParallelism", "jobs[0].id", "jobs[1].id");
        assertThat(problem.get("detail").asString()).isEqualTo("The request has 3 invalid field(s).");
    }

    @Test
    void aMissingBodyIs400() {
        JsonNode problem = assertProblem(mvc.post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON).exchange(),
                400, "invalid-request");

        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("body");
    }

    @Test
    void anIdempotencyKeyOver255CharactersIs400() {
        MvcTestResult result = mvc.post()
            .uri(BATCHES)
            .contentType(MediaType.APPLICATION_JSON)
            .header("Idempotency-Key", "k".repeat(256))
            .content(ONE_JOB)
            .exchange();

        JsonNode problem = assertProblem(result, 400, "invalid-request");
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("idempotencyKey");
    }

    @Test
    void aCancelReasonOver1000CharactersIs400() {
        MvcTestResult result = mvc.post()
            .uri(BATCHES + "/{id}/cancel", UUID.randomUUID())
            .contentType(MediaType.APPLICATION_JSON)
            .content("{\"reason\": \"" + "r".repeat(1001) + "\"}")
            .exchange();

        JsonNode problem = assertProblem(result, 400, "invalid-request");
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("reason");
    }

    @Test
    void aBodyOverTheLimitIs413() {
        // failfast.limits.max-request-size is 1 KB in the slice. Tomcat's handling of
        // large and chunked bodies (refused before they are sent) is tested end to end in
        // ProblemResponsesTest.
        String padding = " ".repeat(1024);

        JsonNode problem = assertProblem(post("{\"jobs\": []" + padding + "}"), 413, "request-too-large");

        assertThat(problem.get("detail").asString()).contains("1024 bytes");
        assertThat(assertProblem(post("{\"jobs\": []" + " ".repeat(1000) + "}"), 400, "invalid-request"))
            .as("just under the limit the body is read")
            .isNotNull();
    }

    // Moved here from ProblemResponsesTest.
    @Test
    void aBodyThatIsNotJsonIs415() {
        MvcTestResult result = mvc.post().uri(BATCHES).contentType(MediaType.TEXT_PLAIN).content("hello").exchange();

        assertProblem(result, 415, "unsupported-media-type");
        assertThat(result).headers().containsHeader("Accept");
    }

    // Moved here from ProblemResponsesTest.
    @Test
    void aWrongMethodIs405() {
        MvcTestResult result = mvc.put().uri(BATCHES).contentType(MediaType.APPLICATION_JSON).content("{}").exchange();

        assertProblem(result, 405, "method-not-allowed");
        assertThat(result.getResponse().getHeader("Allow")).contains("GET", "POST");
    }

    @Test
    void tooManyPendingJobsIs429WithRetryAfterInWholeSecondsAtLeastOne() {
        engine.refuseSubmissionsWith(new AdmissionRejectedException("Too many pending jobs: 10 waiting, limit 5",
                Duration.ofMillis(2_900), AdmissionLimit.PENDING_JOBS, null));

        MvcTestResult slow = post(ONE_JOB);
        engine.refuseSubmissionsWith(
                new AdmissionRejectedException("busy", Duration.ofMillis(300), AdmissionLimit.ABANDONED_THREADS, null));
        MvcTestResult soon = post(ONE_JOB);

        JsonNode problem = assertProblem(slow, 429, "too-many-pending-jobs");
        assertThat(problem.get("detail").asString()).isEqualTo("Too many pending jobs: 10 waiting, limit 5");
        assertThat(slow).hasHeader("Retry-After", "2");
        assertThat(problem.get("title").asString()).isEqualTo("Too many pending jobs");
        assertThat(assertProblem(soon, 429, "too-many-pending-jobs").get("title").asString())
            .isEqualTo("Too many job threads stuck in abandoned attempts");
        assertThat(soon).hasHeader("Retry-After", "1");
        assertThat(problem.get("limit").asString()).isEqualTo("pending-jobs");
        assertThat(problem.has("tenant")).as("a limit of the whole service").isFalse();
    }

    @Test
    void aTenantOverItsQuotaIs429NamingTheLimitAndTheTenant() {
        engine.refuseSubmissionsWith(
                new AdmissionRejectedException("Tenant acme is over its limit of 2 batches per minute",
                        Duration.ofSeconds(30), AdmissionLimit.TENANT_BATCHES_PER_MINUTE, "acme"));

        MvcTestResult result = post(ONE_JOB);

        JsonNode problem = assertProblem(result, 429, "too-many-pending-jobs");
        assertThat(result).hasHeader("Retry-After", "30");
        assertThat(problem.get("limit").asString()).isEqualTo("tenant-batches-per-minute");
        assertThat(problem.get("title").asString()).isEqualTo("Too many batches per minute for the tenant");
        assertThat(problem.get("tenant").asString()).isEqualTo("acme");
        assertThat(problem.get("detail").asString()).contains("acme");
    }

    @Test
    void aStoppingEngineIs503WithRetryAfter() {
        engine.refuseSubmissionsWith(new EngineUnavailableException("The service is shutting down"));

        MvcTestResult result = post(ONE_JOB);

        JsonNode problem = assertProblem(result, 503, "unavailable");
        assertThat(problem.get("detail").asString()).isEqualTo("The service is shutting down");
        assertThat(result).hasHeader("Retry-After", "5");
    }

    @Test
    void anUnexpectedErrorIs500WithoutItsMessageClassOrStackTrace() {
        engine.refuseSubmissionsWith(new IllegalStateException("secret: connection string jdbc:h2:mem:x"));

        MvcTestResult result = post(ONE_JOB);

        JsonNode problem = assertProblem(result, 500, "internal-error");
        assertThat(problem.get("detail").asString())
            .isEqualTo("The service failed to process the request; the error is logged.");
        assertThat(result).bodyText().doesNotContain("secret", "IllegalState", "jdbc");
    }

    // Moved here from ProblemResponsesTest.
    @Test
    void aMalformedBatchIdIs400() {
        JsonNode problem = assertProblem(mvc.get().uri(BATCHES + "/not-a-uuid").exchange(), 400, "invalid-request");

        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("id");
        assertThat(problem.get("errors").get(0).get("message").asString()).isEqualTo("is not a valid UUID");
    }

    // Moved here from ProblemResponsesTest, with the parameter at fault checked and more
    // parameters.
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/v1/batches?state=DONE                                   | state
            /api/v1/batches?page=-1                                      | page
            /api/v1/batches?size=0                                       | size
            /api/v1/batches?page=x                                       | page
            /api/v1/batches?label=nocolon                                | labels
            /api/v1/batches/019abf5e-7b6c-7cc1-9a0e-3c1f1e0b2a44/jobs?state=DONE | state
            /api/v1/batches/019abf5e-7b6c-7cc1-9a0e-3c1f1e0b2a44/jobs?size=0     | size
            """)
    void badQueryParametersAre400NamingTheParameter(String uri, String parameter) {
        JsonNode problem = assertProblem(mvc.get().uri(uri).exchange(), 400, "invalid-request");

        assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString())).contains(parameter);
    }

    // Moved here from ProblemResponsesTest.
    @Test
    void anUnknownPathIs404() {
        assertProblem(mvc.get().uri("/api/v1/nothing-here").exchange(), 404, "not-found");
    }

    private MvcTestResult post(String body) {
        return mvc.post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON).content(body).exchange();
    }

}
