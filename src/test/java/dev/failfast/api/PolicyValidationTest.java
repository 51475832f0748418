package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Failure policies are checked at submission, over real HTTP: a policy that is out of
 * range, malformed, or contradicts another field is a 400 problem naming the field, and a
 * valid one is echoed in the batch's status.
 */
@FailfastServerTest
@TestPropertySource(
        properties = { "failfast.limits.max-attempts-per-batch=10", "failfast.limits.max-jobs-per-batch=10" })
class PolicyValidationTest {

    private static final String JOB = "{'id': 'a', 'type': 'sleep', 'params': {'duration': 'PT0S'}}";

    private static final String RETRYING_JOB = "{'id': 'b', 'type': 'sleep', 'params': {'duration': 'PT0S'}, "
            + "'retry': {'maxAttempts': 2, 'backoff': 'PT1S'}}";

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    static Stream<Arguments> invalidPolicies() {
        return Stream.of(
                invalid("a ratio above 1", "'maxFailureRatio': 1.5", "maxFailureRatio", "less than or equal to 1"),
                invalid("a negative ratio", "'maxFailureRatio': -0.1", "maxFailureRatio", "greater than or equal to 0"),
                invalid("minJobsForRatio 0", "'maxFailureRatio': 0.5, 'minJobsForRatio': 0", "minJobsForRatio",
                        "greater than or equal to 1"),
                invalid("minJobsForRatio beyond the jobs", "'maxFailureRatio': 0.5, 'minJobsForRatio': 3",
                        "minJobsForRatio", "at most the number of jobs (2)"),
                invalid("minJobsForRatio without a ratio", "'minJobsForRatio': 2", "minJobsForRatio",
                        "only with maxFailureRatio"),
                invalid("a ratio under CONTINUE", "'failurePolicy': 'CONTINUE', 'maxFailureRatio': 0.5",
                        "maxFailureRatio", "FAIL_FAST only"),
                invalid("maxFailures under CONTINUE", "'failurePolicy': 'CONTINUE', 'maxFailures': 3", "maxFailures",
                        "FAIL_FAST only"),
                invalid("more than 50 rules", "'onError': [" + String.join(", ", rules(51)) + "]", "onError",
                        "size must be between 0 and 50"),
                invalid("a rule without action", "'onError': [{'errorType': 'IO'}]", "onError[0].action",
                        "must not be null"),
                invalid("a status beyond 599", "'onError': [{'httpStatus': 600, 'action': 'COUNT'}]",
                        "onError[0].httpStatus", "from 100 to 599"),
                invalid("a malformed status class", "'onError': [{'httpStatus': '4xxx', 'action': 'COUNT'}]",
                        "onError[0].httpStatus", "such as \"4xx\""),
                invalid("a status that is neither number nor text",
                        "'onError': [{'httpStatus': true, 'action': 'COUNT'}]", "onError[0].httpStatus",
                        "an integer such as 404"),
                invalid("a message that is no regular expression",
                        "'onError': [{'message': 'status (5', 'action': 'COUNT'}]", "onError[0].message",
                        "must be a regular expression"),
                invalid("a message pattern too long",
                        "'onError': [{'message': '" + "a".repeat(513) + "', 'action': 'COUNT'}]", "onError[0].message",
                        "size must be between 0 and 512"),
                invalid("an error type too long",
                        "'onError': [{'errorType': '" + "E".repeat(129) + "', 'action': 'COUNT'}]",
                        "onError[0].errorType", "size must be between 1 and 128"),
                invalid("an exception that is no class name",
                        "'onError': [{'exception': 'not a class!', 'action': 'COUNT'}]", "onError[0].exception",
                        "must be a class name"),
                invalid("a retry for an action that never retries",
                        "'onError': [{'errorType': 'IO', 'action': 'COUNT', 'retry': {'maxAttempts': 3}}]",
                        "onError[0].retry", "only for action RETRY, not COUNT"),
                invalid("a RETRY rule that cannot retry", "'onError': [{'errorType': 'IO', 'action': 'RETRY'}]",
                        "onError[0].retry", "no job of this batch is attempted more than once"),
                invalid("a rule retry below the floor",
                        "'onError': [{'errorType': 'IO', 'action': 'RETRY', 'retry': {'maxAttempts': 3, "
                                + "'backoff': 'PT0.001S'}}]",
                        "onError[0].retry.backoff", "failfast.limits.min-retry-backoff"),
                invalid("a rule retry of more than 100 attempts",
                        "'onError': [{'errorType': 'IO', 'action': 'RETRY', 'retry': {'maxAttempts': 101}}]",
                        "onError[0].retry.maxAttempts", "less than or equal to 100"),
                invalid("a rule retry beyond the batch's attempts",
                        "'onError': [{'errorType': 'IO', 'action': 'RETRY', 'retry': {'maxAttempts': 6}}]",
                        "jobs[1].retry.maxAttempts", "this batch's make 12"),
                invalid("a rule after one that matches everything",
                        "'onError': [{'action': 'IGNORE'}, {'errorType': 'IO', 'action': 'COUNT'}]", "onError[1]",
                        "onError[0] has no condition"),
                invalid("an empty success policy", "'succeedWhen': {}", "succeedWhen", "exactly one"),
                invalid("two success policies", "'succeedWhen': {'minSucceeded': 1, 'jobIds': ['a']}", "succeedWhen",
                        "exactly one"),
                invalid("minSucceeded 0", "'succeedWhen': {'minSucceeded': 0}", "succeedWhen.minSucceeded",
                        "greater than or equal to 1"),
                invalid("minSucceeded beyond the jobs", "'succeedWhen': {'minSucceeded': 3}",
                        "succeedWhen.minSucceeded", "at most the number of jobs (2)"),
                invalid("no job ids", "'succeedWhen': {'jobIds': []}", "succeedWhen.jobIds", "must not be empty"),
                invalid("a job id twice", "'succeedWhen': {'jobIds': ['a', 'b', 'a']}", "succeedWhen.jobIds[2]",
                        "duplicate job id 'a' (also succeedWhen.jobIds[0])"),
                invalid("an unknown job id", "'succeedWhen': {'jobIds': ['b', 'zz']}", "succeedWhen.jobIds[1]",
                        "no job of this batch has the id 'zz'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPolicies")
    void anInvalidPolicyIsRefusedNamingTheField(String name, String fields, String field, String message) {
        String jobs = fields.contains("'RETRY'") && !name.contains("cannot retry") ? JOB + ", " + RETRYING_JOB
                : JOB + ", " + JOB.replace("'a'", "'b'");
        ApiClient.Response refused = client.post("/api/v1/batches", json("{" + fields + ", 'jobs': [" + jobs + "]}"));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        JsonNode errors = refused.json().get("errors");
        assertThat(errors).as(refused.body()).anySatisfy(error -> {
            assertThat(error.get("field").asString()).isEqualTo(field);
            assertThat(error.get("message").asString()).contains(message);
        });
    }

    @Test
    void validPoliciesAreEchoedInTheBatchsStatus() {
        String id = client.submit(json("""
                {'maxFailureRatio': 0.25, 'minJobsForRatio': 2,
                 'onError': [{'errorType': 'IO', 'action': 'RETRY', 'retry': {'maxAttempts': 3, 'backoff': 'PT1S'}},
                             {'httpStatus': 404, 'action': 'IGNORE'},
                             {'httpStatus': '4xx', 'message': 'quota|limit', 'action': 'FAIL_BATCH'},
                             {'exception': 'java.net.ConnectException', 'action': 'COUNT'}],
                 'succeedWhen': {'jobIds': ['b', 'a']},
                 'jobs': [%s, %s]}""".formatted(JOB, JOB.replace("'a'", "'b'"))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("maxFailures").isNull()).as("a ratio alone: no absolute limit").isTrue();
        assertThat(batch.get("maxFailureRatio").asDouble()).isEqualTo(0.25);
        assertThat(batch.get("minJobsForRatio").asInt()).isEqualTo(2);
        assertThat(batch.get("onError").toString()).isEqualTo(ApiClient.parse(json("""
                [{'errorType': 'IO', 'httpStatus': null, 'exception': null, 'message': null, 'action': 'RETRY',
                  'retry': {'maxAttempts': 3, 'backoff': 'PT1S', 'multiplier': 2.0, 'maxBackoff': 'PT5M'}},
                 {'errorType': null, 'httpStatus': 404, 'exception': null, 'message': null, 'action': 'IGNORE',
                  'retry': null},
                 {'errorType': null, 'httpStatus': '4xx', 'exception': null, 'message': 'quota|limit',
                  'action': 'FAIL_BATCH', 'retry': null},
                 {'errorType': null, 'httpStatus': null, 'exception': 'java.net.ConnectException', 'message': null,
                  'action': 'COUNT', 'retry': null}]""")).toString());
        assertThat(batch.get("succeedWhen").toString()).isEqualTo("{\"minSucceeded\":null,\"jobIds\":[\"b\",\"a\"]}");
        assertThat(batch.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(batch.get("cancellation").get("cause").asString()).isEqualTo("SUCCESS_POLICY_MET");
        assertThat(batch.get("counts").get("ignored").asInt()).isZero();
        assertThat(client.job(id, "a").get("ignored").asBoolean()).isFalse();
    }

    @Test
    void withoutPoliciesABatchShowsNone() {
        String id = client.submit(json("{'jobs': [" + JOB + "]}"));

        JsonNode batch = client.batch(id);

        assertThat(batch.get("maxFailures").asInt()).isZero();
        assertThat(batch.get("maxFailureRatio").isNull()).isTrue();
        assertThat(batch.get("minJobsForRatio").isNull()).isTrue();
        assertThat(batch.get("onError")).isEmpty();
        assertThat(batch.get("succeedWhen").isNull()).isTrue();
    }

    private static Arguments invalid(String name, String fields, String field, String message) {
        return Arguments.of(name, fields, field, message);
    }

    private static List<String> rules(int n) {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rules.add("{'errorType': 'E" + i + "', 'action': 'COUNT'}");
        }
        return rules;
    }

    /** JSON written with single quotes, which read better in Java strings. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

}
