package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The documented switch to JSON logs ({@code logging.structured.format.console=ecs}), and the batch
 * lifecycle lines: one per event, each naming the batch and, once there is one, the cause.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "logging.structured.format.console=ecs")
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest {

    @LocalServerPort
    int port;

    @Test
    void lifecycleEventsAreLoggedAsOneJsonObjectPerLine(CapturedOutput output) throws IOException {
        var client = new ApiClient(port);
        String id = client.submit(MetricsTest.workload("seed-ff.json"));
        client.awaitTerminal(id);

        List<JsonNode> lines = output.getOut().lines()
                .filter(line -> line.startsWith("{") && line.contains(id))
                .map(ApiClient::parse)
                .toList();

        assertThat(lines).extracting(line -> line.get("message").asString()).satisfiesExactly(
                submitted -> assertThat(submitted).isEqualTo(
                        "Batch " + id + " submitted: 100 jobs, policy FAIL_FAST, parallelism 8"),
                running -> assertThat(running).isEqualTo("Batch " + id + " RUNNING: first job started"),
                cancelling -> assertThat(cancelling).startsWith(
                        "Batch " + id + " cancellation requested: cause JOB_FAILED (job job-003"),
                finished -> assertThat(finished).startsWith("Batch " + id + " FAILED: cause JOB_FAILED (job job-003"));
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.get("log").get("level").asString()).isEqualTo("INFO");
            assertThat(line.has("@timestamp")).isTrue();
        });
    }
}
