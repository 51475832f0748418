package dev.failfast.api;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.testing.TestKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Server-sent events: the current status, every change, a final terminal event, then the
 * end.
 */
@FailfastServerTest
class EventStreamTest {

    @LocalServerPort
    int port;

    @Autowired
    BatchEventStreams streams;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @Test
    void streamsEveryChangeAndClosesAfterTheTerminalBatchEvent() throws Exception {
        String id = client.submit(Map.of("name", "Ströme ✓", "maxParallelism", 1, "jobs",
                List.of(sleep("a", "PT0.3S"), sleep("b", "PT0.1S", Map.of("failAfter", "PT0S")), sleep("c", "PT0S"))));

        List<Event> events = readStream(id).get(30, TimeUnit.SECONDS);

        assertThat(events.getFirst().name()).isEqualTo("batch");
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("batch");
        assertThat(last.data().get("state").asString()).isEqualTo("FAILED");
        assertThat(last.data().get("name").asString()).isEqualTo("Ströme ✓");
        assertThat(last.data().get("cancellation").get("jobId").asString()).isEqualTo("b");
        assertThat(events).filteredOn(e -> e.name().equals("job"))
            .extracting(e -> e.data().get("id").asString() + ":" + e.data().get("state").asString())
            .contains("b:RUNNING", "b:FAILED", "c:SKIPPED");
        assertThat(events).extracting(Event::id).doesNotHaveDuplicates();
    }

    @Test
    void aFinishedBatchStreamsItsStatusAndCloses() throws Exception {
        String id = client.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        client.awaitTerminal(id);

        List<Event> events = readStream(id).get(30, TimeUnit.SECONDS);

        assertThat(events).hasSize(1);
        assertThat(events.getFirst().data().get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void manySubscribersAllSeeTheEnd() throws Exception {
        String id = client.submit(Map.of("maxParallelism", 4, "jobs",
                IntStream.range(0, 40).mapToObj(i -> sleep("j" + i, "PT0.05S")).toList()));

        List<CompletableFuture<List<Event>>> subscribers = IntStream.range(0, 50)
            .mapToObj(i -> readStream(id))
            .toList();

        for (var subscriber : subscribers) {
            Event last = subscriber.get(60, TimeUnit.SECONDS).getLast();
            assertThat(last.data().get("state").asString()).isEqualTo("SUCCEEDED");
        }
        org.awaitility.Awaitility.await().until(() -> streams.subscriberCount() == 0);
    }

    record Event(String id, String name, JsonNode data) {
    }

    private CompletableFuture<List<Event>> readStream(String batchId) {
        HttpRequest request = HttpRequest.newBuilder(client.uri("/api/v1/batches/" + batchId + "/events"))
            .header("Accept", "text/event-stream")
            .header("Authorization", "Bearer " + TestKeys.ADMIN)
            .timeout(Duration.ofSeconds(60))
            .build();
        return HttpClient.newHttpClient()
            .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
            .thenApply(response -> {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
                return parse(response.body());
            });
    }

    /** Reads events until the server closes the stream. */
    private static List<Event> parse(InputStream body) {
        List<Event> events = new ArrayList<>();
        try (var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (name != null) {
                        events.add(new Event(id, name, ApiClient.parse(data.toString())));
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                }
                else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                }
                else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                }
                else if (line.startsWith("data:")) {
                    data.append(line.substring(5));
                }
            }
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return events;
    }

}
