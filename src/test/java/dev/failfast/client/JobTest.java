package dev.failfast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job and its token as a handler sees them, without a service. */
class JobTest {

    private final Job job = new Job("a1", "b1", "j1", "remote:download", 2, Transport.JSON.createObjectNode());

    @Test
    void describesItsAttempt() {
        assertThat(job.name()).isEqualTo("download");
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.token().isCancelled()).isFalse();
        assertThat(job.token().reason()).isNull();
    }

    @Test
    void progressMayNotExceedFourKilobytes() {
        assertThat(job.latestProgress()).isNull();
        job.progress(Map.of("files", 1));
        assertThat(job.latestProgress().get("files").asInt()).isEqualTo(1);

        assertThatThrownBy(() -> job.progress("x".repeat(5000))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("4096");
        assertThat(job.latestProgress().get("files").asInt()).isEqualTo(1);
    }

    @Test
    void aCancelSetsTheTokenInterruptsThenRunsTheCallbacksOnce() {
        List<String> steps = new ArrayList<>();
        job.token().onCancel(() -> steps.add("callback:" + job.token().isCancelled()));

        assertThat(job.token().cancel("BATCH_CANCELLED", () -> steps.add("interrupt"))).isTrue();
        assertThat(job.token().cancel("TIMEOUT", () -> steps.add("again"))).isFalse();

        assertThat(steps).containsExactly("interrupt", "callback:true");
        assertThat(job.token().reason()).isEqualTo("BATCH_CANCELLED");
        assertThat(job.token().await(Duration.ofDays(1))).isTrue();
        assertThatThrownBy(job.token()::throwIfCancelled).isInstanceOf(JobCancelledException.class)
            .hasMessageContaining("BATCH_CANCELLED");
        job.token().onCancel(() -> steps.add("late callback"));
        assertThat(steps).endsWith("late callback");
    }

    @Test
    void awaitingAnUncancelledTokenWaitsItsTime() {
        assertThat(job.token().await(Duration.ofMillis(10))).isFalse();
    }

    @Test
    void aFailureTypeIsChecked() {
        assertThatThrownBy(() -> new JobFailedException("lower", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JobFailedException("BAD", "x", 99)).isInstanceOf(IllegalArgumentException.class);
        JobFailedException failed = new JobFailedException("S3_ERROR", "gone", 404, Duration.ofSeconds(5));
        assertThat(failed.errorType()).isEqualTo("S3_ERROR");
        assertThat(failed.status()).isEqualTo(404);
        assertThat(failed.retryAfter()).hasSeconds(5);
    }

    @Test
    void anEventStreamIsParsedLineByLine() {
        List<ServerSentEvent> events = new ArrayList<>();
        ServerSentEvent.Parser parser = new ServerSentEvent.Parser(events::add);
        for (String line : List.of("retry: 1000", "", ": keep-alive", "", "event: cancel", "id: 7",
                "data: {\"attemptId\":", "data:\"a1\"}", "", "data: x", "")) {
            parser.line(line);
        }
        assertThat(events).containsExactly(new ServerSentEvent("cancel", "{\"attemptId\":\n\"a1\"}", "7"),
                new ServerSentEvent("message", "x", "7"));
    }

}
