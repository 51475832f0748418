package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.SseClient;
import dev.failfast.SseClient.Event;
import dev.failfast.testing.GateJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * Every event has an id, and a client that reconnects with the last one it received
 * ({@code Last-Event-ID}) is sent exactly the events it missed; one whose events can no
 * longer be told gets a {@code reset} and the current status; a malformed id is a 400.
 * Over real HTTP, on a single instance; jobs end when the test opens their gates.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "failfast.streams.heartbeat=100ms",
        "failfast.streams.replay-events=8", "failfast.engine.cancel-grace=1s" })
class EventStreamResumeTest {

    @LocalServerPort
    int port;

    ApiClient client;

    final List<String> gates = new ArrayList<>();

    @TestConfiguration(proxyBeanMethods = false)
    static class Jobs {

        @Bean
        GateJob gateJob() {
            return new GateJob();
        }

    }

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @AfterEach
    void openGates() {
        gates.forEach(GateJob::open);
    }

    @Test
    void aClientThatReconnectsWithItsLastEventIdGetsExactlyTheEventsItMissed() {
        String a = gate();
        String b = gate();
        String c = gate();
        String id = client.submit(Map.of("maxParallelism", 1, "jobs",
                List.of(GateJob.job("a", a), GateJob.job("b", b), GateJob.job("c", c))));
        awaitJob(id, "a", "RUNNING");
        String lastSeen;
        try (SseClient first = SseClient.open(client, id)) {
            assertThat(first.next().summary()).isEqualTo("batch:RUNNING");
            GateJob.open(a);
            List<Event> seen = first.next(2);
            assertThat(seen).extracting(Event::summary).containsExactly("a:SUCCEEDED", "b:RUNNING");
            lastSeen = seen.getLast().id();
        }
        // Missed while disconnected:
        GateJob.open(b);
        awaitJob(id, "c", "RUNNING");

        try (SseClient resumed = SseClient.open(client, id, lastSeen)) {
            assertThat(resumed.status()).isEqualTo(200);
            List<Event> missed = resumed.next(2);
            assertThat(missed).extracting(Event::summary).containsExactly("b:SUCCEEDED", "c:RUNNING");
            GateJob.open(c);
            List<Event> rest = resumed.untilEnd();

            assertThat(rest).extracting(Event::summary).containsExactly("c:SUCCEEDED", "batch:SUCCEEDED");
            List<String> ids = new ArrayList<>(List.of(lastSeen));
            missed.forEach(event -> ids.add(event.id()));
            rest.forEach(event -> ids.add(event.id()));
            assertThat(ids).doesNotHaveDuplicates()
                .allSatisfy(eventId -> assertThat(eventId).matches("p[a-z0-9]{8}\\.\\d+\\.0"));
            assertThat(ids.stream()
                .map(eventId -> Long.parseLong(eventId.substring(10, eventId.lastIndexOf('.'))))
                .toList()).isSorted();
        }
    }

    @Test
    void aClientThatReconnectsAfterTheBatchEndedGetsWhatItMissedAndTheEnd() {
        String a = gate();
        String id = client.submit(Map.of("jobs", List.of(GateJob.job("a", a))));
        awaitJob(id, "a", "RUNNING");
        String lastSeen;
        try (SseClient first = SseClient.open(client, id)) {
            lastSeen = first.next().id();
        }
        GateJob.open(a);
        client.awaitTerminal(id);

        List<Event> missed = SseClient.open(client, id, lastSeen).untilEnd();

        assertThat(missed).extracting(Event::summary).containsExactly("a:SUCCEEDED", "batch:SUCCEEDED");
        assertThat(SseClient.open(client, id, missed.getLast().id()).untilEnd()).as("after the end: the end again")
            .extracting(Event::summary)
            .containsExactly("batch:SUCCEEDED");
    }

    @Test
    void eventsThatCanNoLongerBeToldGiveAResetAndTheCurrentStatus() {
        List<Map<String, Object>> jobs = new ArrayList<>();
        List<String> jobGates = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jobGates.add(gate());
            jobs.add(GateJob.job("j" + i, jobGates.getLast()));
        }
        String id = client.submit(Map.of("maxParallelism", 1, "jobs", jobs));
        awaitJob(id, "j0", "RUNNING");
        String lastSeen;
        try (SseClient first = SseClient.open(client, id)) {
            lastSeen = first.next().id();
        }
        // More events than the eight kept: each job succeeds, the next starts.
        for (int i = 0; i < 6; i++) {
            GateJob.open(jobGates.get(i));
            awaitJob(id, "j" + (i + 1), "RUNNING");
        }

        try (SseClient resumed = SseClient.open(client, id, lastSeen)) {
            Event reset = resumed.next();
            Event status = resumed.next();

            assertThat(reset.name()).isEqualTo("reset");
            assertThat(reset.data().get("reason").asString()).isEqualTo("not-replayable");
            assertThat(status.summary()).isEqualTo("batch:RUNNING");
            assertThat(status.data().get("counts").get("succeeded").asInt()).isEqualTo(6);
            GateJob.open(jobGates.get(6));
            assertThat(resumed.next().summary()).as("then the events after the status").isEqualTo("j6:SUCCEEDED");
        }
    }

    @Test
    void anIdOfAnotherProcessGivesAResetAndTheStatus() {
        String id = client.submit(Map.of("jobs", List.of(ApiClient.sleep("x", "PT0S"))));
        client.awaitTerminal(id);

        List<Event> events = SseClient.open(client, id, "pzzzzzzzz.12.0").untilEnd();

        assertThat(events).extracting(Event::name).containsExactly("reset", "batch");
        assertThat(events.getLast().summary()).isEqualTo("batch:SUCCEEDED");
    }

    @Test
    void aMalformedLastEventIdIsA400NamingTheHeaderWithoutRepeatingIt() {
        String id = client.submit(Map.of("jobs", List.of(ApiClient.sleep("x", "PT0S"))));
        for (String bad : List.of("secret-looking-value", "p1.2", "p1.99999999999999999999.0", "P1.2.3", "c.-1.0")) {
            SseClient refused = SseClient.open(client, id, bad);

            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.problem().get("type").asString())
                .isEqualTo("https://failfast.dev/problems/invalid-request");
            assertThat(refused.problem().get("errors").get(0).get("field").asString()).isEqualTo("Last-Event-ID");
            assertThat(refused.problem().toString()).doesNotContain(bad);
        }
    }

    @Test
    void everyEventHasAnIdAndTheStreamSaysHowLongToWaitBeforeReconnecting() {
        String id = client.submit(Map.of("maxParallelism", 1, "jobs",
                List.of(ApiClient.sleep("a", "PT0S"), ApiClient.sleep("b", "PT0S"))));

        SseClient stream = SseClient.open(client, id);
        List<Event> events = stream.untilEnd();

        assertThat(events).allSatisfy(event -> assertThat(event.id()).isNotBlank());
        assertThat(events).extracting(Event::id).doesNotHaveDuplicates();
        assertThat(stream.retries()).first().isEqualTo(1000L);
    }

    private void awaitJob(String batchId, String jobId, String state) {
        org.awaitility.Awaitility.await().until(() -> client.job(batchId, jobId).get("state").asString().equals(state));
    }

    private String gate() {
        String gate = GateJob.newGate("resume");
        gates.add(gate);
        return gate;
    }

}
