package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The actuator on its own port ({@code management.server.port}), as docs/operations.md
 * describes: meant to be reachable inside the deployment only, it answers without a key.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@DirtiesContext
class ManagementPortTest {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Test
    void actuatorAnswersOnTheManagementPortOnlyWithoutAKeyAndTheApiOnTheServerPortOnly() {
        var api = new ApiClient(port);
        var management = new ApiClient(managementPort, null);

        assertThat(managementPort).isNotEqualTo(port);
        assertThat(management.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(management.get("/actuator/prometheus").body()).contains("failfast_batches_submitted_total");
        assertThat(api.get("/actuator/health").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/batches").status()).isEqualTo(200);
        assertThat(management.get("/api/v1/batches").status())
            .as("nothing but the exposed endpoints answers there without a key")
            .isEqualTo(401);
        assertThat(api.as(null).get("/api/v1/batches").status()).as("the API port still needs a key").isEqualTo(401);
    }

}
