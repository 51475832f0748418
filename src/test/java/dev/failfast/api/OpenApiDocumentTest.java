package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document committed under {@code docs/openapi.json} matches what the service serves.
 * Run with {@code -Dopenapi.update=true} to rewrite it after an intended API change.
 */
@FailfastServerTest
class OpenApiDocumentTest {

    private static final Path COMMITTED = Path.of("docs/openapi.json");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    @LocalServerPort
    int port;

    @Test
    void committedDocumentIsCurrent() throws IOException {
        ApiClient.Response response = new ApiClient(port).get("/v3/api-docs");
        assertThat(response.status()).isEqualTo(200);
        ObjectNode served = (ObjectNode) JSON.readTree(response.body());
        served.remove("servers"); // names the random test port
        String current = JSON.writeValueAsString(JSON.treeToValue(served, Object.class)) + "\n";

        if (Boolean.getBoolean("openapi.update")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, current, StandardCharsets.UTF_8);
        }

        assertThat(COMMITTED).as("docs/openapi.json is missing; run ./mvnw verify -Dtest=OpenApiDocumentTest -Dopenapi.update=true").exists();
        JsonNode committed = JSON.readTree(Files.readString(COMMITTED));
        assertThat(committed.equals(JSON.readTree(current)))
                .as("docs/openapi.json is stale; run ./mvnw verify -Dtest=OpenApiDocumentTest -Dopenapi.update=true and commit it")
                .isTrue();
    }

    @Test
    void everyOperationIsDescribed() throws IOException {
        JsonNode paths = JSON.readTree(new ApiClient(port).get("/v3/api-docs").body()).get("paths");

        assertThat(paths.propertyStream().map(java.util.Map.Entry::getKey))
                .contains("/api/v1/batches", "/api/v1/batches/{id}", "/api/v1/batches/{id}/cancel",
                        "/api/v1/batches/{id}/events", "/api/v1/batches/{id}/jobs", "/api/v1/batches/{id}/jobs/{jobId}");
        paths.forEach(path -> path.forEach(operation ->
                assertThat(operation.get("summary")).as(operation.toString()).isNotNull()));
    }
}
