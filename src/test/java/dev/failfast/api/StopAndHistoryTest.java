package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Why a batch stopped, as a client reads it: an {@code http} job fails twice against a
 * local server answering 503, which stops the batch; the failed job shows both attempts
 * with the HTTP status and the backoff chosen between them, the jobs it stopped name the
 * cause, the cancellation carries its stop report, and lists of jobs stay without
 * history.
 */
@FailfastServerTest
class StopAndHistoryTest {

    @LocalServerPort
    int port;

    ApiClient client;

    HttpServer server;

    @BeforeEach
    void setUp() throws IOException {
        client = new ApiClient(port);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/broken", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    @Test
    void aFailedJobShowsItsAttemptsAndTheJobsItStoppedNameTheCause() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/broken";
        String id = client.submit(Map.of("maxParallelism", 2, "jobs",
                List.of(Map.of("id", "down", "type", "http", "params", Map.of("url", url), "retry",
                        Map.of("maxAttempts", 2, "backoff", "PT0.01S")), ApiClient.sleep("long", "PT60S"),
                        ApiClient.sleep("later", "PT0S"))));

        JsonNode batch = client.awaitTerminal(id);

        JsonNode down = client.job(id, "down");
        assertThat(down.get("state").asString()).isEqualTo("FAILED");
        assertThat(down.get("error").get("httpStatus").asInt()).isEqualTo(503);
        assertThat(down.get("droppedAttempts").asInt()).isZero();
        List<JsonNode> attempts = down.get("attemptHistory").valueStream().toList();
        assertThat(attempts).hasSize(2);
        assertThat(attempts).allSatisfy(attempt -> {
            assertThat(attempt.get("run").asInt()).isOne();
            assertThat(attempt.get("outcome").asString()).isEqualTo("FAILED");
            assertThat(attempt.get("error").get("type").asString()).isEqualTo("HTTP_STATUS");
            assertThat(attempt.get("error").get("httpStatus").asInt()).isEqualTo(503);
            assertThat(attempt.get("abandoned").asBoolean()).isFalse();
        });
        assertThat(attempts.get(0).get("number").asInt()).isOne();
        assertThat(attempts.get(0).get("backoff").asString()).isEqualTo("PT0.01S");
        assertThat(attempts.get(0).get("backoffReason").asString())
            .isEqualTo("job retry policy: attempt 2 of 2, backoff PT0.01S");
        assertThat(attempts.get(1).get("number").asInt()).isEqualTo(2);
        assertThat(attempts.get(1).get("backoff").isNull()).as("no attempt after the last").isTrue();
        assertThat(down.get("stoppedBy").isNull()).as("it failed: nothing stopped it").isTrue();

        JsonNode cancellation = batch.get("cancellation");
        assertThat(cancellation.get("cause").asString()).isEqualTo("JOB_FAILED");
        JsonNode report = cancellation.get("report");
        assertThat(report.get("runningAtCause").asInt()).as("long").isOne();
        assertThat(report.get("stoppedRunning").asInt()).isOne();
        assertThat(report.get("neverStarted").asInt()).as("later").isOne();
        assertThat(report.get("abandoned").asInt()).isZero();
        JsonNode longJob = client.job(id, "long");
        JsonNode stopped = longJob.get("attemptHistory").get(0);
        assertThat(stopped.get("outcome").asString()).isEqualTo("CANCELLED");
        assertThat(report.get("discardedJobSeconds").asDouble()).as("the stopped attempt's time")
            .isCloseTo(seconds(stopped.get("startedAt").asString(), stopped.get("endedAt").asString()), within(1e-6));
        assertThat(report.get("savedJobSeconds").isNull()).as("no job succeeded to estimate from").isTrue();

        List<JsonNode> listed = client.jobs(id);
        assertThat(listed).extracting(job -> job.get("id").asString()).containsExactly("down", "long", "later");
        assertThat(listed).as("lists stay cheap").allSatisfy(job -> {
            assertThat(job.has("attemptHistory")).isFalse();
            assertThat(job.has("droppedAttempts")).isFalse();
        });
        for (JsonNode job : listed.subList(1, 3)) {
            JsonNode stoppedBy = job.get("stoppedBy");
            assertThat(stoppedBy.get("cause").asString()).isEqualTo("JOB_FAILED");
            assertThat(stoppedBy.get("jobId").asString()).isEqualTo("down");
            assertThat(stoppedBy.get("requestedAt").asString()).isEqualTo(cancellation.get("requestedAt").asString());
            assertThat(stoppedBy.get("run").asInt()).isOne();
        }
        assertThat(listed.get(0).get("stoppedBy").isNull()).isTrue();
        assertThat(longJob.get("stoppedBy").get("jobId").asString()).isEqualTo("down");
    }

    private static double seconds(String from, String to) {
        Duration elapsed = Duration.between(Instant.parse(from), Instant.parse(to));
        return elapsed.toNanos() / 1e9;
    }

}
