package dev.failfast.security;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A tenant sees and acts on its own batches only: to another tenant, every one of them is
 * a batch that does not exist (404, never 403). An admin sees every tenant's.
 */
@FailfastServerTest
class TenantIsolationTest {

    private static final String[] EVERY_BATCH_SCOPE = { "batches:read", "batches:write", "batches:cancel",
            "batches:delete" };

    @LocalServerPort
    int port;

    ApiClient admin;

    ApiClient teamA;

    ApiClient teamB;

    /** A batch of team A that runs for as long as the test (a minute-long job). */
    String running;

    /** A batch of team A that has finished. */
    String finished;

    @BeforeEach
    void twoTenantsWithABatchOfA() {
        admin = new ApiClient(port);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        teamA = admin.withNewKey("team-a-" + suffix, EVERY_BATCH_SCOPE);
        teamB = admin.withNewKey("team-b-" + suffix, EVERY_BATCH_SCOPE);
        running = teamA.submit(Map.of("name", "a-running", "jobs", List.of(sleep("long", "PT60S"))));
        finished = teamA.submit(Map.of("name", "a-finished", "jobs", List.of(sleep("quick", "PT0S"))));
        teamA.awaitTerminal(finished);
    }

    /** Other tests share this service: leave no batch running. */
    @AfterEach
    void stopTheRunningBatch() {
        admin.post("/api/v1/batches/" + running + "/cancel", Map.of());
        admin.awaitTerminal(running);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | RUNNING
            GET    | RUNNING/jobs
            GET    | RUNNING/jobs/long
            GET    | RUNNING/events
            POST   | RUNNING/cancel
            DELETE | FINISHED
            """)
    void anotherTenantsBatchIsNotFoundOnEveryEndpoint(String method, String path) {
        String theirs = path.replace("RUNNING", "/api/v1/batches/" + running)
            .replace("FINISHED", "/api/v1/batches/" + finished);
        String none = path.replace("RUNNING", "/api/v1/batches/" + UUID.randomUUID())
            .replace("FINISHED", "/api/v1/batches/" + UUID.randomUUID());

        ApiClient.Response refused = send(teamB, method, theirs);
        ApiClient.Response missing = send(teamB, method, none);

        assertThat(refused.status()).as(refused.body()).isEqualTo(404);
        assertThat(refused.json().get("type")).isEqualTo(missing.json().get("type"));
        assertThat(refused.json().get("title")).isEqualTo(missing.json().get("title"));
        assertThat(teamA.batch(running).get("state").asString()).as("untouched").isEqualTo("RUNNING");
        assertThat(teamA.get("/api/v1/batches/" + finished).status()).as("not deleted").isEqualTo(200);
    }

    @Test
    void listsShowOnlyTheCallersTenantUnlessAnAdminAsks() {
        String theirs = teamB.submit(Map.of("name", "b", "jobs", List.of(sleep("quick", "PT0S"))));

        assertThat(ids(teamB.get("/api/v1/batches?size=1000"))).containsExactly(theirs);
        assertThat(ids(teamA.get("/api/v1/batches?size=1000"))).containsExactlyInAnyOrder(running, finished);
        ApiClient.Response snooping = teamB.get("/api/v1/batches?tenant=" + tenantOf(running));
        assertThat(snooping.status()).isEqualTo(403);
        assertThat(snooping.json().get("detail").asString()).contains("admin");

        assertThat(ids(admin.get("/api/v1/batches?size=1000"))).contains(running, finished, theirs);
        assertThat(ids(admin.get("/api/v1/batches?size=1000&tenant=" + tenantOf(theirs)))).containsExactly(theirs);
    }

    @Test
    void idempotencyKeysAreEachTenantsOwn() {
        String key = "nightly-" + UUID.randomUUID();
        ApiClient.Response ours = post(teamA, key, "a");
        ApiClient.Response theirs = post(teamB, key, "a different body");

        assertThat(ours.status()).isEqualTo(202);
        assertThat(theirs.status()).as("the same key in another tenant is a new batch, not a 422").isEqualTo(202);
        assertThat(theirs.json().get("id")).isNotEqualTo(ours.json().get("id"));
        assertThat(post(teamB, key, "a different body").status()).as("a retry in B").isEqualTo(200);
        ApiClient.Response reused = post(teamB, key, "yet another body");
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.json().get("batchId")).as("names B's batch, never A's").isEqualTo(theirs.json().get("id"));
    }

    @Test
    void aCancelRecordsWhoAskedAndAnAdminMayCancelAnyTenantsBatch() {
        String other = teamA.submit(Map.of("jobs", List.of(sleep("long", "PT60S"))));

        JsonNode byOwner = teamA.post("/api/v1/batches/" + running + "/cancel", Map.of("reason", "done")).json();
        JsonNode byAdmin = admin.post("/api/v1/batches/" + other + "/cancel", Map.of()).json();

        assertThat(byOwner.get("cancellation").get("requestedBy").asString())
            .isEqualTo(teamA.batch(running).get("submittedBy").asString());
        assertThat(byAdmin.get("cancellation").get("requestedBy").asString()).startsWith("key:")
            .isNotEqualTo(byOwner.get("cancellation").get("requestedBy").asString());
        teamA.awaitTerminal(running);
        teamA.awaitTerminal(other);
    }

    private String tenantOf(String batch) {
        return admin.batch(batch).get("tenant").asString();
    }

    private static List<String> ids(ApiClient.Response page) {
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        return page.json().get("content").valueStream().map(batch -> batch.get("id").asString()).toList();
    }

    private static ApiClient.Response post(ApiClient client, String idempotencyKey, String name) {
        return client.send(HttpRequest.newBuilder(client.uri("/api/v1/batches"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers
                .ofString(ApiClient.json(Map.of("name", name, "jobs", List.of(sleep("quick", "PT0S")))))));
    }

    private static ApiClient.Response send(ApiClient client, String method, String path) {
        var request = HttpRequest.newBuilder(client.uri(path));
        return client.send(switch (method) {
            case "POST" ->
                request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
            case "DELETE" -> request.DELETE();
            default -> request.header("Accept", "application/json, text/event-stream").GET();
        });
    }

}
