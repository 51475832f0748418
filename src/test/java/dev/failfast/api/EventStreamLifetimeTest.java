package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.SseClient;
import dev.failfast.SseClient.Event;
import dev.failfast.testing.GateJob;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

/**
 * A stream ends after {@code failfast.streams.max-lifetime} (a second here) with a
 * {@code reconnect} event and a {@code retry:} hint, and gives its slot back; the client
 * reconnects with its last event id and misses nothing, and a key revoked meanwhile can
 * no longer reconnect.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.streams.max-lifetime=1s", "failfast.streams.heartbeat=100ms",
                "failfast.streams.reconnect-delay=250ms", "failfast.engine.cancel-grace=1s" })
class EventStreamLifetimeTest {

    @LocalServerPort
    int port;

    @Autowired
    StreamSlots slots;

    @TestConfiguration(proxyBeanMethods = false)
    static class Jobs {

        @Bean
        GateJob gateJob() {
            return new GateJob();
        }

    }

    @Test
    void aStreamEndsAtItsLifetimeAndTheClientResumesWithoutMissingAnything() {
        ApiClient client = new ApiClient(port);
        String gate = GateJob.newGate("lifetime");
        String id = client.submit(Map.of("jobs", List.of(GateJob.job("a", gate))));
        client.awaitState(id, "RUNNING");

        SseClient stream = SseClient.open(client, id);
        List<Event> events = stream.untilEnd();

        assertThat(events).extracting(Event::name).containsExactly("batch", "reconnect");
        assertThat(events.getLast().data().get("reason").asString()).isEqualTo("max-lifetime");
        assertThat(events.getLast().id()).isEqualTo(events.getFirst().id());
        assertThat(stream.retries()).containsOnly(250L).hasSize(2);
        await().until(() -> slots.open() == 0);

        GateJob.open(gate);
        client.awaitTerminal(id);
        assertThat(SseClient.open(client, id, events.getLast().id()).untilEnd()).extracting(Event::summary)
            .containsExactly("a:SUCCEEDED", "batch:SUCCEEDED");
    }

    @Test
    void aRevokedKeyStreamsNoLongerThanTheLifetime() {
        ApiClient admin = new ApiClient(port);
        JsonNode key = admin.createKey("viewer", "batches:read", "batches:write");
        ApiClient viewer = admin.as(key.get("key").asString());
        String gate = GateJob.newGate("revoked");
        String id = viewer.submit(Map.of("jobs", List.of(GateJob.job("a", gate))));
        try {
            SseClient stream = SseClient.open(viewer, id);
            assertThat(stream.next().name()).isEqualTo("batch");

            assertThat(admin.delete("/api/v1/api-keys/" + key.get("id").asString()).status()).isEqualTo(204);

            Event last = stream.untilEnd().getLast();
            assertThat(last.name()).isEqualTo("reconnect");
            assertThat(SseClient.open(viewer, id, last.id()).status()).isEqualTo(401);
        }
        finally {
            GateJob.open(gate);
        }
    }

}
