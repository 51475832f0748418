package dev.failfast.metrics;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.engine.EngineFrontDoor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The engine's readiness under load and on shutdown, on a service with one worker thread
 * and room for two pending jobs, so that saturation takes three sleeping jobs.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.executor.pool-size=1", "failfast.limits.max-jobs-per-batch=2",
                "failfast.limits.max-pending-jobs=2", "failfast.engine.cancel-grace=1s", })
@DirtiesContext
class EngineReadinessTest {

    @LocalServerPort
    int port;

    @Autowired
    EngineFrontDoor engine;

    ApiClient client;

    List<String> submitted = new ArrayList<>();

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @AfterEach
    void restartAndCancelEverything() {
        restart();
        cancelSubmitted();
    }

    @Test
    void atThePendingJobsLimitBatchesGet429AndTheInstanceStaysReadyForReadsAndCancels() {
        Scrape before = Scrape.of(client);
        String running = submit(List.of(sleep("a", "PT60S")));
        await().until(() -> client.batch(running).get("counts").get("running").asInt() == 1);
        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(200);

        submit(List.of(sleep("b", "PT60S"), sleep("c", "PT60S")));

        ApiClient.Response readiness = client.get("/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.body()).isEqualTo(200);
        assertThat(readiness.json().get("components").get("engine").get("status").asString()).isEqualTo("UP");

        ApiClient.Response rejected = client.post("/api/v1/batches", Map.of("jobs", List.of(sleep("d", "PT0S"))));
        assertThat(rejected.status()).isEqualTo(429);
        Scrape after = Scrape.of(client);
        assertThat(after.delta(before, "failfast_admission_rejections_total")).isEqualTo(1);
        assertThat(after.delta(before, "http_server_requests_seconds_count", "status", "429")).isEqualTo(1);
        assertThat(after.value("failfast_jobs_pending")).isEqualTo(after.value("failfast_jobs_pending_limit"));

        cancelSubmitted();
        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    void engineIsOutOfServiceOnceItStopsAcceptingBatches() {
        engine.stop();

        ApiClient.Response readiness = client.get("/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.body()).isEqualTo(503);
        assertThat(readiness.json().get("components").get("engine").get("status").asString())
            .isEqualTo("OUT_OF_SERVICE");
        assertThat(client.get("/actuator/health/liveness").status()).isEqualTo(200);

        restart();
        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    /**
     * Starts the engine again (a no-op while it runs); it tells Boot to accept traffic
     * again.
     */
    private void restart() {
        engine.start();
    }

    private String submit(List<Object> jobs) {
        String id = client.submit(Map.of("jobs", jobs));
        submitted.add(id);
        return id;
    }

    private void cancelSubmitted() {
        for (String id : submitted) {
            client.post("/api/v1/batches/" + id + "/cancel", Map.of());
            client.awaitTerminal(id);
        }
        submitted.clear();
    }

}
