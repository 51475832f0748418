package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * What the Helm chart sets unless {@code apiDocs.enabled}: neither the OpenAPI document
 * nor Swagger UI is served, not even to an administrator, so the Service and the Ingress
 * carry neither.
 */
@FailfastServerTest
@TestPropertySource(properties = { "springdoc.api-docs.enabled=false", "springdoc.swagger-ui.enabled=false" })
class ApiDocsOffTest {

    @LocalServerPort
    int port;

    @ParameterizedTest
    @ValueSource(strings = { "/v3/api-docs", "/v3/api-docs.yaml", "/swagger-ui.html", "/swagger-ui/index.html" })
    void theApiDocsAreNotServed(String path) {
        ApiClient.Response response = new ApiClient(port).get(path);

        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("\"openapi\"", "<html");
    }

}
