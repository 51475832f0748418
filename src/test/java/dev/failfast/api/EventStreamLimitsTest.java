package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.SseClient;
import dev.failfast.testing.GateJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The caps on open event streams, over real HTTP with real keys of two tenants: a tenant
 * at its cap gets 429 naming the limit and itself while another tenant still opens
 * streams; at the global cap everyone gets 429; meanwhile plain API calls and the
 * liveness probe on the same port answer. Every way a stream ends gives its slot back.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.streams.max-open=4", "failfast.streams.max-open-per-tenant=2",
                "failfast.streams.heartbeat=100ms", "failfast.engine.cancel-grace=1s" })
class EventStreamLimitsTest {

    @LocalServerPort
    int port;

    @Autowired
    StreamSlots slots;

    ApiClient admin;

    ApiClient alpha;

    ApiClient beta;

    final List<SseClient> streams = new ArrayList<>();

    final List<String> gates = new ArrayList<>();

    @TestConfiguration(proxyBeanMethods = false)
    static class Jobs {

        @Bean
        GateJob gateJob() {
            return new GateJob();
        }

    }

    @BeforeEach
    void keys() {
        admin = new ApiClient(port);
        alpha = admin.withNewKey("alpha", "batches:read", "batches:write");
        beta = admin.withNewKey("beta", "batches:read", "batches:write");
    }

    @AfterEach
    void closeEverything() {
        streams.forEach(SseClient::close);
        gates.forEach(GateJob::open);
        await().until(() -> slots.open() == 0);
    }

    @Test
    void aTenantAtItsCapGets429NamingItWhileOthersStreamAndTheServiceAnswers() {
        String alphaBatch = runningBatch(alpha);
        String betaBatch = runningBatch(beta);
        open(alpha, alphaBatch);
        open(alpha, alphaBatch);

        SseClient refused = SseClient.open(alpha, alphaBatch);

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(refused.problem().get("type").asString())
            .isEqualTo("https://failfast.dev/problems/too-many-streams");
        assertThat(refused.problem().get("limit").asString()).isEqualTo("tenant-open-streams");
        assertThat(refused.problem().get("title").asString()).isEqualTo("Too many event streams for the tenant");
        assertThat(refused.problem().get("tenant").asString()).isEqualTo("alpha");
        assertThat(open(beta, betaBatch).next().name()).as("another tenant's streams are its own").isEqualTo("batch");
        assertThat(alpha.get("/api/v1/batches/" + alphaBatch).status()).isEqualTo(200);
        assertThat(alpha.as(null).get("/actuator/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void atTheGlobalCapEveryTenantGets429WhileTheApiAndTheLivenessProbeAnswer() {
        String alphaBatch = runningBatch(alpha);
        String betaBatch = runningBatch(beta);
        open(alpha, alphaBatch);
        open(alpha, alphaBatch);
        open(beta, betaBatch);
        open(admin, betaBatch);

        SseClient refused = SseClient.open(beta, betaBatch);

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.problem().get("limit").asString()).isEqualTo("open-streams");
        assertThat(refused.problem().has("tenant")).isFalse();
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(beta.get("/api/v1/batches/" + betaBatch).status()).isEqualTo(200);
        assertThat(beta.post("/api/v1/batches", Map.of("jobs", List.of(ApiClient.sleep("x", "PT0S")))).status())
            .isEqualTo(202);
        assertThat(beta.as(null).get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(beta.as(null).get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    void openStreamsAndRefusalsAreMeteredByLimit() {
        String batch = runningBatch(alpha);
        double refusedBefore = metric("failfast_streams_rejections_total{limit=\"tenant-open-streams\"}");
        open(alpha, batch);
        open(alpha, batch);

        assertThat(SseClient.open(alpha, batch).status()).isEqualTo(429);

        assertThat(metric("failfast_streams_rejections_total{limit=\"tenant-open-streams\"}"))
            .isEqualTo(refusedBefore + 1);
        assertThat(metric("failfast_streams_open")).isEqualTo(2);
        assertThat(metric("failfast_streams_open_limit")).isEqualTo(4);
    }

    /** A sample of /actuator/prometheus, as a scraper with the admin key reads it. */
    private double metric(String series) {
        String scrape = admin.get("/actuator/prometheus").body();
        return scrape.lines()
            .filter(line -> line.startsWith(series + " "))
            .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(series + " not in the scrape"));
    }

    @Test
    void clientsThatGoAwayGiveTheirSlotsBack() {
        String batch = runningBatch(alpha);
        SseClient first = open(alpha, batch);
        SseClient second = open(alpha, batch);
        assertThat(SseClient.open(alpha, batch).status()).isEqualTo(429);

        first.close();
        second.close();

        // The server notices at its next heartbeat.
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.open("alpha") == 0);
        assertThat(open(alpha, batch).next().name()).isEqualTo("batch");
        assertThat(open(alpha, batch).next().name()).isEqualTo("batch");
    }

    @Test
    void streamsThatEndWithTheirBatchGiveTheirSlotsBack() {
        String gate = gate();
        String batch = alpha.submit(Map.of("jobs", List.of(GateJob.job("a", gate))));
        SseClient first = open(alpha, batch);
        SseClient second = open(alpha, batch);

        GateJob.open(gate);

        assertThat(first.untilEnd().getLast().summary()).isEqualTo("batch:SUCCEEDED");
        assertThat(second.untilEnd().getLast().summary()).isEqualTo("batch:SUCCEEDED");
        await().until(() -> slots.open("alpha") == 0);
        String next = runningBatch(alpha);
        assertThat(open(alpha, next).next().name()).isEqualTo("batch");
        assertThat(open(alpha, next).next().name()).isEqualTo("batch");
    }

    @Test
    void refusedAndFinishedStreamsTakeNoSlot() {
        String finished = alpha.submit(Map.of("jobs", List.of(ApiClient.sleep("x", "PT0S"))));
        alpha.awaitTerminal(finished);
        String foreign = runningBatch(beta);
        for (int i = 0; i < 5; i++) {
            assertThat(SseClient.open(alpha, finished).untilEnd()).extracting(SseClient.Event::summary)
                .containsExactly("batch:SUCCEEDED");
            assertThat(SseClient.open(alpha, foreign).status()).as("another tenant's batch").isEqualTo(404);
            assertThat(SseClient.open(alpha, finished, "not an id").status()).isEqualTo(400);
        }

        await().until(() -> slots.open() == 0);
        String batch = runningBatch(alpha);
        open(alpha, batch);
        open(alpha, batch);
    }

    /** A batch of alpha or beta that runs until the test ends. */
    private String runningBatch(ApiClient client) {
        String gate = gate();
        String id = client
            .submit(Map.of("jobs", IntStream.range(0, 2).mapToObj(i -> GateJob.job("g" + i, gate)).toList()));
        client.awaitState(id, "RUNNING");
        return id;
    }

    private String gate() {
        String gate = GateJob.newGate("limits");
        gates.add(gate);
        return gate;
    }

    /** Opens a stream that must be accepted. */
    private SseClient open(ApiClient client, String batchId) {
        SseClient stream = SseClient.open(client, batchId);
        streams.add(stream);
        assertThat(stream.status()).as(stream.status() == 200 ? "" : stream.problem().toString()).isEqualTo(200);
        return stream;
    }

}
