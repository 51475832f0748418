package dev.failfast.engine;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/** Stopping the engine cancels what runs with cause SHUTDOWN and refuses new batches with 503. */
@FailfastServerTest
@DirtiesContext
class ShutdownTest {

    @LocalServerPort
    int port;

    @Autowired
    BatchEngine engine;

    @Test
    void stoppingCancelsActiveBatchesAndRefusesNewOnes() {
        var client = new ApiClient(port);
        String id = client.submit(Map.of("maxParallelism", 1, "jobs", List.of(
                sleep("running", "PT60S"), sleep("waiting", "PT60S"))));
        client.awaitState(id, "RUNNING");

        engine.stop();

        JsonNode batch = client.batch(id);
        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        assertThat(batch.get("cancellation").get("cause").asString()).isEqualTo("SHUTDOWN");
        assertThat(client.job(id, "running").get("state").asString()).isEqualTo("CANCELLED");
        assertThat(client.job(id, "waiting").get("state").asString()).isEqualTo("SKIPPED");
        ApiClient.Response refused = client.post("/api/v1/batches", Map.of("jobs", List.of(sleep("a", "PT0S"))));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    }
}
