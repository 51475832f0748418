package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /batches/{id}/redrive} refused and repeated, as a client sends it: a
 * selection the batch cannot take is a 400 naming the field, a batch that is active or
 * has nothing to run again a 409, a repeated Idempotency-Key answers with the batch, the
 * number of redrives is bounded, and only the batch's tenant with the write scope may
 * redrive it. A refused redrive changes nothing. What a redrive runs is in
 * {@code RedriveScenarios}.
 */
@FailfastServerTest
class RedriveRequestsTest {

    @LocalServerPort
    int port;

    private ApiClient client;

    private String tenant;

    @BeforeEach
    void newTenant() {
        tenant = "redrive-" + UUID.randomUUID().toString().substring(0, 8);
        client = new ApiClient(port).withNewKey(tenant, "batches:read", "batches:write", "batches:cancel",
                "batches:delete");
    }

    @Test
    void aSelectionTheBatchCannotTakeIsA400NamingTheFieldAndChangesNothing() {
        String id = failedBatch();

        assertInvalid(id, Map.of("states", List.of("SUCCEEDED")), "states[0]", "a succeeded job keeps its result");
        assertInvalid(id, Map.of("states", List.of("FAILED", "FAILED")), "states[1]", "repeats FAILED");
        assertInvalid(id, Map.of("jobIds", List.of("nope")), "jobIds[0]", "the batch has no job with this id");
        assertInvalid(id, Map.of("jobIds", List.of("ok")), "jobIds[0]", "the job is SUCCEEDED");
        assertInvalid(id, Map.of("jobIds", List.of("failing", "failing")), "jobIds[1]", "repeats a job id");
        assertInvalid(id, Map.of("states", List.of("SKIPPED"), "jobIds", List.of("failing")), "jobIds[0]",
                "the job is FAILED; a redrive runs jobs in [SKIPPED]");
        assertInvalid(id, Map.of("jobIds", List.of()), "jobIds", "size must be between 1");
        assertInvalid(id, Map.of("stats", List.of("FAILED")), "stats", "");

        JsonNode batch = client.batch(id);
        assertThat(batch.get("run").asInt()).isOne();
        assertThat(batch.get("state").asString()).isEqualTo("FAILED");
        assertThat(client.job(id, "failing").get("run").asInt()).isOne();
    }

    @Test
    void anActiveBatchOrOneWithNothingToRunAgainIsAConflict() {
        String running = client.submit(Map.of("jobs", List.of(ApiClient.sleep("slow", "PT60S"))));
        client.awaitState(running, "RUNNING");
        ApiClient.Response active = client.post(redrive(running), "");
        assertThat(active.status()).as(active.body()).isEqualTo(409);
        assertThat(active.json().get("state").asString()).isEqualTo("RUNNING");
        assertThat(client.post("/api/v1/batches/" + running + "/cancel", "").status()).isEqualTo(202);
        client.awaitTerminal(running);

        String succeeded = client.submit(Map.of("jobs", List.of(ApiClient.sleep("ok", "PT0S"))));
        assertThat(client.awaitTerminal(succeeded).get("state").asString()).isEqualTo("SUCCEEDED");
        ApiClient.Response nothing = client.post(redrive(succeeded), "");
        assertThat(nothing.status()).as(nothing.body()).isEqualTo(409);
        assertThat(nothing.json().get("detail").asString())
            .contains("it has no job in [FAILED, CANCELLED, SKIPPED] to redrive");
    }

    @Test
    void aBatchWhoseSuccessPolicyIsMetByItsSucceededJobsIsNotRedriven() {
        String id = client.submit(Map.of("maxParallelism", 1, "succeedWhen", Map.of("minSucceeded", 1), "jobs",
                List.of(ApiClient.sleep("first", "PT0S"), ApiClient.sleep("second", "PT0S"))));
        assertThat(client.awaitTerminal(id).get("cancellation").get("cause").asString())
            .isEqualTo("SUCCESS_POLICY_MET");

        ApiClient.Response response = client.post(redrive(id), "");
        assertThat(response.status()).as(response.body()).isEqualTo(409);
        assertThat(response.json().get("detail").asString())
            .contains("its success policy is met by the jobs that succeeded");
    }

    @Test
    void ofTwoRedrivesSentAtOnceOneRunsAndTheOtherIsAConflictOrWithTheSameKeyItsStatus() throws Exception {
        // Run 1: bad fails and stops slow. Each redrive runs slow again, which runs until
        // cancelled, so the run a redrive queued is still running when the other arrives.
        String id = client.submit(Map.of("maxParallelism", 2, "jobs", List.of(ApiClient.sleep("slow", "PT60S"),
                ApiClient.sleep("bad", "PT0S", Map.of("failAfter", "PT0S")))));
        client.awaitTerminal(id);
        // slow is CANCELLED, or SKIPPED when bad failed before it started (a loaded
        // machine).
        Map<String, Object> slowOnly = Map.of("jobIds", List.of("slow"), "states", List.of("CANCELLED", "SKIPPED"));

        List<ApiClient.Response> differentKeys = atOnce(
                () -> redriveWithKey(id, UUID.randomUUID().toString(), ApiClient.json(slowOnly)),
                () -> redriveWithKey(id, UUID.randomUUID().toString(), ApiClient.json(slowOnly)));
        assertThat(differentKeys).extracting(ApiClient.Response::status).containsExactlyInAnyOrder(202, 409);
        assertThat(client.batch(id).get("run").asInt()).isEqualTo(2);
        cancelAndAwaitTheEnd(id);

        String key = UUID.randomUUID().toString();
        List<ApiClient.Response> sameKey = atOnce(() -> redriveWithKey(id, key, ApiClient.json(slowOnly)),
                () -> redriveWithKey(id, key, ApiClient.json(slowOnly)));
        assertThat(sameKey).extracting(ApiClient.Response::status).containsExactlyInAnyOrder(202, 200);
        assertThat(sameKey).allSatisfy(r -> assertThat(r.json().get("run").asInt()).isEqualTo(3));
        cancelAndAwaitTheEnd(id);
        assertThat(client.batch(id).get("runs")).hasSize(3);
    }

    private void cancelAndAwaitTheEnd(String id) {
        client.awaitState(id, "RUNNING");
        assertThat(client.post("/api/v1/batches/" + id + "/cancel", "").status()).isEqualTo(202);
        client.awaitTerminal(id);
    }

    @Test
    void aRedriveIsCountedInItsMetric() {
        String id = failedBatch();
        double before = redrivesCounted();

        assertThat(client.post(redrive(id), "").status()).isEqualTo(202);

        assertThat(redrivesCounted()).isGreaterThanOrEqualTo(before + 1);
        client.awaitTerminal(id);
    }

    /** {@code failfast_batches_redriven_total} as Prometheus scrapes it. */
    private double redrivesCounted() {
        String scrape = new ApiClient(port).get("/actuator/prometheus").body();
        return scrape.lines()
            .filter(line -> line.startsWith("failfast_batches_redriven_total"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no failfast_batches_redriven_total in the scrape"));
    }

    @Test
    void aBatchSeenTerminalIsDeletedAtOnce() {
        String id = failedBatch();
        assertThat(client.post(redrive(id), "").status()).isEqualTo(202);
        client.awaitTerminal(id);

        assertThat(client.delete("/api/v1/batches/" + id).status()).isEqualTo(204);
        assertThat(client.get("/api/v1/batches/" + id).status()).isEqualTo(404);
    }

    @Test
    void theSameIdempotencyKeyRedrivesOnceAndAnotherRequestWithItIsRefused() {
        String id = failedBatch();
        String key = UUID.randomUUID().toString();

        ApiClient.Response first = redriveWithKey(id, key, "{}");
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.json().get("run").asInt()).isEqualTo(2);
        client.awaitTerminal(id);

        ApiClient.Response again = redriveWithKey(id, key, "");
        assertThat(again.status()).as("no body asks what {} asks: " + again.body()).isEqualTo(200);
        assertThat(again.json().get("run").asInt()).isEqualTo(2);
        ApiClient.Response other = redriveWithKey(id, key, "{\"states\": [\"FAILED\"]}");
        assertThat(other.status()).as(other.body()).isEqualTo(422);
        assertThat(client.batch(id).get("run").asInt()).isEqualTo(2);

        ApiClient.Response withoutKey = client.post(redrive(id), "");
        assertThat(withoutKey.status()).as(withoutKey.body()).isEqualTo(202);
        assertThat(withoutKey.json().get("run").asInt()).isEqualTo(3);
        client.awaitTerminal(id);
    }

    @Test
    void aBatchIsRedrivenAtMostMaxRedrivesTimes() {
        String id = failedBatch();
        for (int redrive = 1; redrive <= 10; redrive++) {
            ApiClient.Response response = client.post(redrive(id), "");
            assertThat(response.status()).as(response.body()).isEqualTo(202);
            client.awaitTerminal(id);
        }
        ApiClient.Response eleventh = client.post(redrive(id), "");
        assertThat(eleventh.status()).as(eleventh.body()).isEqualTo(409);
        assertThat(eleventh.json().get("detail").asString())
            .contains("it was redriven 10 times, the most failfast.limits.max-redrives allows");
        JsonNode batch = client.batch(id);
        assertThat(batch.get("run").asInt()).isEqualTo(11);
        assertThat(batch.get("runs")).hasSize(11);
        assertThat(client.job(id, "failing").get("attemptHistory")).as("one attempt per run").hasSize(11);
    }

    @Test
    void onlyTheBatchsTenantWithTheWriteScopeRedrivesIt() {
        String id = failedBatch();
        ApiClient admin = new ApiClient(port);

        assertThat(client.as(null).post(redrive(id), "").status()).isEqualTo(401);
        ApiClient reader = admin.withNewKey(tenant, "batches:read");
        ApiClient.Response readOnly = reader.post(redrive(id), "");
        assertThat(readOnly.status()).isEqualTo(403);
        assertThat(readOnly.body()).contains("batches:write");
        ApiClient stranger = admin.withNewKey("other-" + tenant, "batches:read", "batches:write");
        assertThat(stranger.post(redrive(id), "").status()).isEqualTo(404);
        assertThat(client.batch(id).get("run").asInt()).isOne();
    }

    @Test
    void aBodyThatIsNotJsonIsUnsupported() {
        String id = failedBatch();
        ApiClient.Response response = client.send(HttpRequest.newBuilder(client.uri(redrive(id)))
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("FAILED")));
        assertThat(response.status()).isEqualTo(415);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    /** A FAILED batch: {@code ok} SUCCEEDED, {@code failing} FAILED. */
    private String failedBatch() {
        String id = client.submit(Map.of("maxParallelism", 1, "failurePolicy", "CONTINUE", "jobs", List
            .of(ApiClient.sleep("ok", "PT0S"), ApiClient.sleep("failing", "PT0S", Map.of("failAfter", "PT0S")))));
        assertThat(client.awaitTerminal(id).get("state").asString()).isEqualTo("FAILED");
        return id;
    }

    private void assertInvalid(String id, Object body, String field, String message) {
        ApiClient.Response response = client.post(redrive(id), body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode errors = response.json().get("errors");
        assertThat(errors).as(response.body()).hasSize(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo(field);
        assertThat(errors.get(0).get("message").asString()).contains(message);
    }

    /** Both requests sent together, from two threads released at once. */
    private static List<ApiClient.Response> atOnce(Supplier<ApiClient.Response> first,
            Supplier<ApiClient.Response> second) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            List<Future<ApiClient.Response>> sent = new ArrayList<>();
            for (Supplier<ApiClient.Response> request : List.of(first, second)) {
                sent.add(threads.submit(() -> {
                    go.await();
                    return request.get();
                }));
            }
            go.countDown();
            List<ApiClient.Response> responses = new ArrayList<>();
            for (Future<ApiClient.Response> response : sent) {
                responses.add(response.get(30, TimeUnit.SECONDS));
            }
            return responses;
        }
    }

    private ApiClient.Response redriveWithKey(String id, String key, String body) {
        return client.send(HttpRequest.newBuilder(client.uri(redrive(id)))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String redrive(String id) {
        return "/api/v1/batches/" + id + "/redrive";
    }

}
