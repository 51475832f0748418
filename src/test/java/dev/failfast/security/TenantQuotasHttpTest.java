package dev.failfast.security;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Per-tenant limits over real HTTP, with real keys of two tenants: one tenant over its
 * limit gets 429 naming the limit and itself, the other is admitted as before.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.limits.max-jobs-per-batch=5", "failfast.tenants.overrides.busy.max-pending-jobs=5",
                "failfast.tenants.overrides.chatty.batches-per-minute=2", "failfast.engine.cancel-grace=1s" })
class TenantQuotasHttpTest {

    @LocalServerPort
    int port;

    ApiClient admin;

    ApiClient busy;

    @BeforeEach
    void keys() {
        admin = new ApiClient(port);
        busy = admin.withNewKey("busy", "batches:read", "batches:write", "batches:cancel");
    }

    @AfterEach
    void stopEverything() {
        admin.get("/api/v1/batches?size=1000")
            .json()
            .get("content")
            .valueStream()
            .filter(batch -> !ApiClient.TERMINAL.contains(batch.get("state").asString()))
            .forEach(batch -> {
                admin.post("/api/v1/batches/" + batch.get("id").asString() + "/cancel", Map.of());
                admin.awaitTerminal(batch.get("id").asString());
            });
    }

    @Test
    void aTenantOverItsPendingJobsGets429NamingItWhileAnotherIsAdmitted() {
        ApiClient calm = admin.withNewKey("calm", "batches:read", "batches:write");
        // One job runs, four wait: four of busy's five pending places are taken.
        busy.submit(Map.of("maxParallelism", 1, "jobs",
                IntStream.range(0, 5).mapToObj(i -> sleep("w" + i, "PT60S")).toList()));

        ApiClient.Response refused = busy.post("/api/v1/batches",
                Map.of("jobs", List.of(sleep("x", "PT0S"), sleep("y", "PT0S"))));

        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.json().get("limit").asString()).isEqualTo("tenant-pending-jobs");
        assertThat(refused.json().get("tenant").asString()).isEqualTo("busy");
        String admitted = calm.submit(Map.of("jobs", List.of(sleep("x", "PT0S"), sleep("y", "PT0S"))));
        assertThat(calm.awaitTerminal(admitted).get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aTenantOverItsBatchRateGets429WithRetryAfter() {
        ApiClient chatty = admin.withNewKey("chatty", "batches:read", "batches:write");
        var batch = Map.of("jobs", List.of(sleep("x", "PT0S")));
        chatty.submit(batch);
        chatty.submit(batch);

        ApiClient.Response refused = chatty.post("/api/v1/batches", batch);

        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().get("limit").asString()).isEqualTo("tenant-batches-per-minute");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        assertThat(busy.post("/api/v1/batches", batch).status()).as("another tenant's rate is its own").isEqualTo(202);
    }

}
