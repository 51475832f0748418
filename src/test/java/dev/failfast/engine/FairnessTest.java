package dev.failfast.engine;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** A huge batch does not starve a small one submitted after it. */
@FailfastServerTest
class FairnessTest {

    @LocalServerPort
    int port;

    @Test
    void aSmallBatchFinishesWhileAHugeOneSubmittedBeforeItStillRuns() {
        var client = new ApiClient(port);
        // As wide as the whole pool (16 threads) and long enough to keep it busy for
        // minutes.
        String huge = client.submit(Map.of("maxParallelism", 16, "jobs",
                IntStream.range(0, 100_000).mapToObj(i -> sleep("h" + i, "PT0.05S")).toList()));
        client.awaitState(huge, "RUNNING");

        String small = client
            .submit(Map.of("jobs", IntStream.range(0, 5).mapToObj(i -> sleep("s" + i, "PT0S")).toList()));
        JsonNode smallDone = client.awaitTerminal(small, Duration.ofSeconds(30));
        JsonNode hugeNow = client.batch(huge);

        assertThat(smallDone.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(hugeNow.get("state").asString()).isEqualTo("RUNNING");
        assertThat(hugeNow.get("counts").get("pending").asInt()).isGreaterThan(90_000);
        client.post("/api/v1/batches/" + huge + "/cancel", Map.of("reason", "test over"));
        JsonNode hugeEnd = client.awaitTerminal(huge);
        assertThat(hugeEnd.get("counts").get("skipped").asInt()).isGreaterThan(90_000);
        assertThat(hugeEnd.get("state").asString()).isEqualTo("CANCELLED");
    }

}
