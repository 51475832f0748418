package dev.failfast.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Text a client sends (a cancel reason, a job's failure message) reaches the service's
 * plain-text log escaped and capped: a CR/LF cannot start a forged line, and 100 KB
 * cannot fill one.
 */
@FailfastServerTest
@ExtendWith(OutputCaptureExtension.class)
class ClientTextInLogsTest {

    /** What a forged line would look like in Spring Boot's console format. */
    static final String FORGED = "1999-12-31T23:59:59.999Z  INFO 1 --- [failfast] [main] dev.failfast.audit : "
            + "Batch 00000000-0000-0000-0000-000000000000 of tenant other deleted by key:admin";

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @Test
    void aCancelReasonCannotForgeALogLine(CapturedOutput output) {
        String id = client.submit(Map.of("jobs", List.of(ApiClient.sleep("long", "PT30S"))));
        client.awaitState(id, "RUNNING");

        var cancelled = client.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "wrong file\r\n" + FORGED));
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(202);
        client.awaitTerminal(id);

        String line = await().atMost(Duration.ofSeconds(30))
            .until(() -> lineWith(output, "Batch " + id + " CANCELLING"), l -> l != null);
        assertThat(line).contains("(job null, wrong file\\r\\n" + FORGED + ")");
        assertThat(output.getAll().lines()).as("no line starts with the forged text")
            .noneMatch(l -> l.startsWith("1999-"));
    }

    @Test
    void aHugeFailureMessageIsCutInEveryLineThatNamesTheCause(CapturedOutput output) {
        String message = "boom\n" + FORGED + "\n" + "x".repeat(100 * 1024);
        String id = client.submit(Map.of("jobs", List.of(ApiClient.sleep("other", "PT30S"),
                ApiClient.sleep("huge", "PT0S", Map.of("failAfter", "PT0S", "failMessage", message)))));
        client.awaitTerminal(id);

        List<String> lines = await().atMost(Duration.ofSeconds(30))
            .until(() -> output.getAll().lines().filter(l -> l.contains("Batch " + id)).toList(),
                    found -> found.stream().anyMatch(l -> l.contains(" FAILED: cause")));
        assertThat(lines).filteredOn(l -> l.contains("cause JOB_FAILED"))
            .as("the FAILED line, and the CANCELLING line if other was running")
            .isNotEmpty()
            .allSatisfy(l -> assertThat(l).contains("(job huge, boom\\n" + FORGED.substring(0, 100))
                .contains("…[cut, ")
                .hasSizeLessThan(LogText.MAX_LENGTH + 400));
        assertThat(output.getAll().lines()).as("no line starts with the forged text")
            .noneMatch(l -> l.startsWith("1999-"));
        assertThat(output.getAll()).doesNotContain("x".repeat(LogText.MAX_LENGTH));
    }

    private static @Nullable String lineWith(CapturedOutput output, String text) {
        return output.getAll().lines().filter(l -> l.contains(text)).findFirst().orElse(null);
    }

}
