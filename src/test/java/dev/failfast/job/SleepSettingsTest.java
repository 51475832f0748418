package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code failfast.jobs.sleep.*}: the simulator can be switched off, its
 * {@code ignoreCancel} is refused unless allowed, and its duration is capped. Each case
 * is a real submission, answered 400 naming the field at fault.
 */
class SleepSettingsTest {

    static JsonNode refusal(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("https://failfast.dev/problems/invalid-request");
        return response.json().get("errors");
    }

    @Nested
    @FailfastServerTest
    @TestPropertySource(properties = "failfast.jobs.sleep.enabled=false")
    class Disabled {

        @LocalServerPort
        int port;

        @Test
        void aSleepJobIsOfAnUnknownType() {
            var client = new ApiClient(port);

            JsonNode errors = refusal(
                    client.post("/api/v1/batches", Map.of("jobs", List.of(ApiClient.sleep("a", "PT1S")))));

            assertThat(errors.valueStream()).singleElement().satisfies(error -> {
                assertThat(error.get("field").asString()).isEqualTo("jobs[0].type");
                assertThat(error.get("message").asString()).startsWith("unknown job type 'sleep'")
                    .endsWith("known types: [http, remote:<name>]");
            });
        }

    }

    @Nested
    @FailfastServerTest
    @TestPropertySource(
            properties = { "failfast.jobs.sleep.allow-ignore-cancel=false", "failfast.jobs.sleep.max-duration=1m" })
    class Limited {

        @LocalServerPort
        int port;

        ApiClient client;

        @BeforeEach
        void setUp() {
            client = new ApiClient(port);
        }

        @Test
        void aJobThatWouldIgnoreItsCancellationIsRefused() {
            JsonNode errors = refusal(client.post("/api/v1/batches",
                    Map.of("jobs", List.of(ApiClient.sleep("stuck", "PT1S", Map.of("ignoreCancel", true))))));

            assertThat(errors.valueStream()).singleElement().satisfies(error -> {
                assertThat(error.get("field").asString()).isEqualTo("jobs[0].params.ignoreCancel");
                assertThat(error.get("message").asString()).contains("failfast.jobs.sleep.allow-ignore-cancel");
            });
        }

        @Test
        void aSleepLongerThanTheMaximumIsRefusedAndOneAtItRuns() {
            JsonNode errors = refusal(
                    client.post("/api/v1/batches", Map.of("jobs", List.of(ApiClient.sleep("long", "PT1M0.001S")))));

            assertThat(errors.valueStream()).singleElement().satisfies(error -> {
                assertThat(error.get("field").asString()).isEqualTo("jobs[0].params.duration");
                assertThat(error.get("message").asString())
                    .isEqualTo("must be at most PT1M (failfast.jobs.sleep.max-duration)");
            });
            String accepted = client.submit(Map.of("jobs",
                    List.of(ApiClient.sleep("capped", "PT1M", Map.of("failAfter", "PT0S", "ignoreCancel", false)))));
            assertThat(client.awaitTerminal(accepted).get("state").asString()).isEqualTo("FAILED");
        }

    }

}
