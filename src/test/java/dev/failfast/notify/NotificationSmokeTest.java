package dev.failfast.notify;

import static dev.failfast.ApiClient.sleep;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

@FailfastServerTest
@TestPropertySource(properties = "failfast.notifications.signing-secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
class NotificationSmokeTest {

    @LocalServerPort
    int port;

    ApiClient client;

    WebhookReceiver receiver;

    @BeforeEach
    void setUp() throws Exception {
        client = new ApiClient(port);
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    @Test
    void aFailedBatchIsNotified() {
        String id = client.submit(Map.of("name", "smoke", "jobs",
                List.of(sleep("a", "PT0S", Map.of("failAfter", "PT0S")), sleep("b", "PT0S")), "notifications",
                List.of(Map.of("url", receiver.url("/hook"), "events",
                        List.of("batch.failed", "batch.first_failure")))));
        client.awaitTerminal(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 2);
        System.out.println(receiver.received());
        System.out.println(client.get("/api/v1/batches/" + id + "/notifications").body());
        System.out.println(client.get("/api/v1/batches/" + id).body());
    }

}
