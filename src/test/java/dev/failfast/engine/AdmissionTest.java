package dev.failfast.engine;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Over the pending-jobs limit a batch is refused whole with 429 and Retry-After, and
 * nothing of it runs.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "failfast.limits.max-pending-jobs=10",
        "failfast.limits.max-jobs-per-batch=10", "failfast.limits.retry-after=7s", })
class AdmissionTest {

    @LocalServerPort
    int port;

    @Test
    void aBatchOverThePendingLimitIs429UntilJobsStart() {
        var client = new ApiClient(port);
        // One job runs, nine wait: 9 of 10 pending slots used.
        String waiting = client.submit(Map.of("maxParallelism", 1, "jobs",
                IntStream.range(0, 10).mapToObj(i -> sleep("w" + i, "PT60S")).toList()));
        client.awaitState(waiting, "RUNNING");

        ApiClient.Response refused = client.post("/api/v1/batches",
                Map.of("jobs", IntStream.range(0, 2).mapToObj(i -> sleep("r" + i, "PT0S")).toList()));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asString())
            .isEqualTo("https://failfast.dev/problems/too-many-pending-jobs");
        assertThat(client.get("/api/v1/batches").json().get("page").get("totalElements").asInt()).isEqualTo(1);

        client.post("/api/v1/batches/" + waiting + "/cancel", Map.of());
        client.awaitTerminal(waiting);
        String admitted = client
            .submit(Map.of("jobs", IntStream.range(0, 2).mapToObj(i -> sleep("r" + i, "PT0S")).toList()));
        assertThat(client.awaitTerminal(admitted).get("state").asString()).isEqualTo("SUCCEEDED");
    }

}
