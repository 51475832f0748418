package dev.failfast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The submit-and-wait client of clients/java against the real service, with a key of its
 * own tenant holding the batch scopes, on {@code sleep} jobs.
 */
@FailfastServerTest
class FailfastClientTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    FailfastClient client;

    @BeforeEach
    void keyOfItsOwn() {
        String key = new ApiClient(port).createKey("java-client", "batches:read", "batches:write", "batches:cancel")
            .get("key")
            .asString();
        client = FailfastClient.create(URI.create("http://localhost:" + port), key);
    }

    @Test
    void submitsABatchAndWaitsForItsEnd() throws Exception {
        BatchStatus submitted = client.submit(Batch.builder()
            .name("java client")
            .maxParallelism(2)
            .job("a", "sleep", Map.of("duration", "PT0.05S"))
            .job("b", "sleep", Map.of("duration", "PT0.1S"))
            .job("c", "sleep", Map.of("duration", "PT0.05S"))
            .build());
        assertThat(submitted.name()).isEqualTo("java client");
        assertThat(submitted.counts().total()).isEqualTo(3);

        BatchStatus done = client.awaitTerminal(submitted.id(), WAIT);

        assertThat(done.state()).isEqualTo(BatchState.SUCCEEDED);
        assertThat(done.counts().succeeded()).isEqualTo(3);
        assertThat(done.stop()).isEmpty();
        assertThat(client.get(submitted.id()).state()).isEqualTo(BatchState.SUCCEEDED);
        List<JobStatus> jobs = client.jobs(submitted.id());
        assertThat(jobs).extracting(JobStatus::id).containsExactly("a", "b", "c");
        assertThat(jobs).extracting(JobStatus::state).containsOnly(JobState.SUCCEEDED);
        assertThat(client.job(submitted.id(), "b").json().get("attemptHistory")).hasSize(1);
    }

    @Test
    void aFailureStopsTheBatchAndSaysWhy() throws Exception {
        String json = """
                {"jobs": [
                  {"id": "bad", "type": "sleep", "params": {"duration": "PT10S", "failAfter": "PT0.05S", "failMessage": "disk full"}},
                  {"id": "long", "type": "sleep", "params": {"duration": "PT30S"}}
                ]}""";
        BatchStatus submitted = client.submit(json);

        BatchStatus done = client.awaitTerminal(submitted.id(), WAIT);

        assertThat(done.state()).isEqualTo(BatchState.FAILED);
        assertThat(done.cancellation().cause()).isEqualTo("JOB_FAILED");
        assertThat(done.cancellation().jobId()).isEqualTo("bad");
        JobStatus bad = client.job(submitted.id(), "bad");
        assertThat(bad.failure()).hasValueSatisfying(error -> {
            assertThat(error.type()).isEqualTo("JOB_ERROR");
            assertThat(error.message()).isEqualTo("disk full");
        });
        assertThat(client.job(submitted.id(), "long").state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void cancelsABatchWithAReason() throws Exception {
        BatchStatus submitted = client
            .submit(Batch.builder().job("long", "sleep", Map.of("duration", "PT30S")).build());

        BatchStatus cancelled = client.cancel(submitted.id(), "changed my mind");

        assertThat(cancelled.cancellation().reason()).isEqualTo("changed my mind");
        BatchStatus done = client.awaitTerminal(submitted.id(), WAIT);
        assertThat(done.state()).isEqualTo(BatchState.CANCELLED);
        assertThat(done.cancellation().cause()).isEqualTo("USER_REQUESTED");
    }

    @Test
    void awaitingGivesUpAtTheTimeout() {
        BatchStatus submitted = client
            .submit(Batch.builder().job("long", "sleep", Map.of("duration", "PT30S")).build());

        assertThatThrownBy(() -> client.awaitTerminal(submitted.id(), Duration.ofMillis(300)))
            .isInstanceOf(TimeoutException.class)
            .hasMessageContaining(submitted.id());
        client.cancel(submitted.id(), null);
    }

    @Test
    void anInvalidBatchIsAProblemWithItsFields() {
        String json = """
                {"maxFailurez": 3, "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}}]}""";

        assertThatThrownBy(() -> client.submit(json)).isInstanceOfSatisfying(FailfastApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.type()).isEqualTo("https://failfast.dev/problems/invalid-request");
            assertThat(e.title()).isEqualTo("Invalid request");
            assertThat(e.detail()).isNotEmpty();
            assertThat(e.errors()).extracting(FieldError::field).containsExactly("maxFailurez");
            assertThat(e.getMessage()).contains("400", "maxFailurez");
        });
        assertThatThrownBy(() -> client.submit(Batch.builder().job("a", "sleep", Map.of("durashun", "PT1S")).build()))
            .isInstanceOfSatisfying(FailfastApiException.class,
                    e -> assertThat(e.errors()).extracting(FieldError::field).contains("jobs[0].params.durashun"));
    }

    @Test
    void anUnknownBatchIsANotFoundProblem() {
        String id = UUID.randomUUID().toString();

        assertThatThrownBy(() -> client.get(id)).isInstanceOfSatisfying(FailfastApiException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.type()).isEqualTo("https://failfast.dev/problems/not-found");
            assertThat(e.errors()).isEmpty();
        });
        assertThatThrownBy(() -> client.awaitTerminal(id, WAIT)).isInstanceOfSatisfying(FailfastApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> client.cancel(id, "x")).isInstanceOfSatisfying(FailfastApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void aKeyWithoutTheScopeIsAMissingScopeProblem() {
        String readOnly = new ApiClient(port).createKey("java-client", "batches:read").get("key").asString();
        FailfastClient reader = FailfastClient.create(URI.create("http://localhost:" + port), readOnly);

        assertThatThrownBy(() -> reader.submit(Batch.builder().job("a", "sleep", Map.of("duration", "PT1S")).build()))
            .isInstanceOfSatisfying(FailfastApiException.class, e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.problem().get("requiredScope").asString()).isEqualTo("batches:write");
            });
    }

}
