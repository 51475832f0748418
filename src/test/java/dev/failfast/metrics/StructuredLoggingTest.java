package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The documented switch to JSON logs, {@code --logging.structured.format.console=ecs},
 * and the batch lifecycle lines: one per event, in order, each naming the batch and, once
 * there is one, the cause.
 *
 * <p>
 * The service runs as its own process, as in production: Logback is configured once per
 * JVM, so a second application context in the test JVM would keep the format of the
 * first.
 */
class StructuredLoggingTest {

    @TempDir
    Path dir;

    Process service;

    Path output;

    ApiClient client;

    @BeforeEach
    void startServiceWithJsonLogs() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        output = dir.resolve("service.log");
        String java = ProcessHandle.current().info().command().orElseThrow();
        service = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FailfastApplication.class.getName(), "--server.port=" + port, "--logging.structured.format.console=ecs",
                "--failfast.engine.cancel-grace=1s")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        client = new ApiClient(port);
        await().atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(250))
            .ignoreExceptionsInstanceOf(UncheckedIOException.class)
            .untilAsserted(() -> {
                assertThat(service.isAlive()).as("the service exited: %s", Files.readString(output)).isTrue();
                assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(200);
            });
    }

    @AfterEach
    void stopService() throws InterruptedException {
        service.destroy();
        if (!service.waitFor(60, TimeUnit.SECONDS)) {
            service.destroyForcibly();
        }
    }

    @Test
    void everyLineIsOneJsonObjectAndEachLifecycleEventIsOneLine() throws IOException {
        String failFast = client.submit(MetricsTest.workload("seed-ff.json"));
        // A single job that fails: the cause ends the batch at once, with no job left to
        // stop.
        String single = client
            .submit(Map.of("jobs", List.of(ApiClient.sleep("only", "PT0S", Map.of("failAfter", "PT0S")))));
        client.awaitTerminal(failFast);
        client.awaitTerminal(single);

        List<JsonNode> lines = await()
            .until(() -> Files.readString(output),
                    log -> log.contains("Batch " + failFast + " FAILED") && log.contains("Batch " + single + " FAILED"))
            .lines()
            .filter(line -> line.startsWith("{"))
            .map(ApiClient::parse)
            .toList();

        assertThat(messages(lines, failFast)).satisfiesExactly(
                submitted -> assertThat(submitted).startsWith("Batch " + failFast
                        + " submitted: 100 jobs, policy FAIL_FAST, parallelism 8, tenant default, by key:"),
                running -> assertThat(running).isEqualTo("Batch " + failFast + " RUNNING: first job started"),
                cancelling -> assertThat(cancelling).startsWith(
                        "Batch " + failFast + " CANCELLING: cause JOB_FAILED (job job-003, Something bad happened!)"),
                failed -> assertThat(failed).startsWith(
                        "Batch " + failFast + " FAILED: cause JOB_FAILED (job job-003, Something bad happened!)"));
        assertThat(messages(lines, single)).satisfiesExactly(
                submitted -> assertThat(submitted).startsWith("Batch " + single + " submitted: 1 jobs"),
                running -> assertThat(running).isEqualTo("Batch " + single + " RUNNING: first job started"),
                failed -> assertThat(failed).startsWith("Batch " + single + " FAILED: cause JOB_FAILED (job only"));
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            assertThat(line.has("@timestamp")).isTrue();
            assertThat(line.get("log").get("level").isString()).isTrue();
            assertThat(line.get("service").get("name").asString()).isEqualTo("failfast");
        });
    }

    private static List<String> messages(List<JsonNode> lines, String batchId) {
        return lines.stream()
            .map(line -> line.get("message").asString())
            .filter(message -> message.startsWith("Batch " + batchId))
            .toList();
    }

}
