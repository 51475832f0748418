package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.job.HttpLoopMarker;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A job that reaches the separate management port (its own pod, opened by an operator)
 * meets the loop marker there too: the management server's child context gets the filter
 * as well.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@DirtiesContext
class LoopedRequestManagementPortTest {

    @LocalManagementPort
    int managementPort;

    @Test
    void aRequestCarryingTheLoopMarkerIs508OnTheManagementPort() {
        var management = new ApiClient(managementPort, null);
        URI health = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness");

        ApiClient.Response looped = management.send(HttpRequest.newBuilder(health)
            .header(HttpLoopMarker.HEADER, "01a23203-9118-77a0-85e7-b4e6677bf994/job")
            .GET());

        assertThat(management.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(looped.status()).isEqualTo(508);
        assertThat(looped.contentType()).startsWith("application/problem+json");
    }

}
