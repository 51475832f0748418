package dev.failfast.engine;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobHandler;
import dev.failfast.store.InstanceLease;
import dev.failfast.store.NoInstanceLease;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stopping the engine cancels what runs with cause SHUTDOWN and refuses new batches with
 * 503.
 */
@FailfastServerTest
@DirtiesContext
class ShutdownTest {

    @LocalServerPort
    int port;

    @Autowired
    EngineFrontDoor engine;

    @Autowired
    GatedHandler gated;

    @Autowired
    InstanceLease lease;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @AfterEach
    void startAgain() {
        engine.start();
    }

    @Test
    void stoppingCancelsActiveBatchesAndRefusesNewOnesUntilStartedAgain() {
        String id = client
            .submit(Map.of("maxParallelism", 1, "jobs", List.of(sleep("running", "PT60S"), sleep("waiting", "PT60S"))));
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
        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(503);

        engine.start();

        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(200);
        String after = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        assertThat(client.awaitTerminal(after).get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aBatchSubmittedWhileTheEngineStopsIsRefusedAndNotKept() throws Exception {
        long before = batchCount();
        var submitted = CompletableFuture.supplyAsync(() -> client.post("/api/v1/batches",
                Map.of("jobs", List.of(Map.of("id", "a", "type", GatedHandler.TYPE)))));
        // The request passed the engine's first running check and is validating its jobs.
        assertThat(gated.parsing.await(30, TimeUnit.SECONDS)).isTrue();

        engine.stop();
        gated.proceed.countDown();

        ApiClient.Response refused = submitted.get(30, TimeUnit.SECONDS);
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(batchCount()).isEqualTo(before);
    }

    @Test
    void anEmbeddedH2DatabaseNeedsNoInstanceLease() {
        // H2 lets one process open the file; a restart after a crash must not wait for a
        // lease.
        assertThat(lease).isInstanceOf(NoInstanceLease.class);
    }

    private long batchCount() {
        return client.get("/api/v1/batches").json().get("page").get("totalElements").asLong();
    }

    /** Holds the first submission in params validation until the test lets it go. */
    static class GatedHandler implements JobHandler<ObjectNode> {

        static final String TYPE = "gated";

        final CountDownLatch parsing = new CountDownLatch(1);

        final CountDownLatch proceed = new CountDownLatch(1);

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public ObjectNode parseParams(ObjectNode params, String tenant) {
            parsing.countDown();
            try {
                proceed.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return params;
        }

        @Override
        public Object execute(JobContext<ObjectNode> context) {
            return null;
        }

    }

    @TestConfiguration
    static class Handlers {

        @Bean
        GatedHandler gatedHandler() {
            return new GatedHandler();
        }

    }

}
