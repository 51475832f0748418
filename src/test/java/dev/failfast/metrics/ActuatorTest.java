package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** What the actuator shows, and what it keeps to itself. */
@FailfastServerTest
class ActuatorTest {

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @Test
    void readinessIncludesTheEngineAndTheStore() {
        ApiClient.Response readiness = client.get("/actuator/health/readiness");

        assertThat(readiness.status()).as(readiness.body()).isEqualTo(200);
        JsonNode components = readiness.json().get("components");
        assertThat(components.propertyNames()).containsExactlyInAnyOrder("readinessState", "engine", "batchStore");
        assertThat(components.get("engine").get("status").asString()).isEqualTo("UP");
        assertThat(components.get("batchStore").get("status").asString()).isEqualTo("UP");
    }

    @Test
    void livenessDependsOnNothingButTheApplicationState() {
        ApiClient.Response liveness = client.get("/actuator/health/liveness");

        assertThat(liveness.status()).as(liveness.body()).isEqualTo(200);
        assertThat(liveness.json().get("status").asString()).isEqualTo("UP");
        assertThat(liveness.json().has("components")).isFalse();
    }

    @Test
    void infoShowsBuildAndGit() {
        JsonNode info = client.get("/actuator/info").json();

        assertThat(info.get("build").get("artifact").asString()).isEqualTo("failfast");
        assertThat(info.get("build").get("version").asString()).isNotBlank();
        // git.properties is written when the build runs in a git checkout (always so in
        // CI).
        if (getClass().getResource("/git.properties") != null) {
            assertThat(info.get("git").get("commit").get("id").asString()).isNotBlank();
        }
    }

    @Test
    void infoTellsNothingOfTheJvmTheOsOrTheProcess() {
        JsonNode info = client.get("/actuator/info").json();

        assertThat(info.propertyNames()).as("build and git only").isSubsetOf("build", "git").contains("build");
        assertThat(info.toString()).doesNotContain(System.getProperty("java.vm.vendor"))
            .doesNotContain(System.getProperty("os.name"));
    }

    @Test
    void onlyHealthInfoMetricsAndPrometheusAreExposed() {
        JsonNode links = client.get("/actuator").json().get("_links");

        assertThat(links.propertyNames()).allMatch(name -> name.equals("self") || name.startsWith("health")
                || name.startsWith("info") || name.startsWith("metrics") || name.startsWith("prometheus"));
        assertThat(client.get("/actuator/metrics/failfast.batches.submitted").status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = { "env", "configprops", "beans", "heapdump", "threaddump", "loggers", "mappings", "shutdown",
            "scheduledtasks", "conditions", "caches", "startup", "sbom" })
    void sensitiveEndpointsAreNotExposed(String endpoint) {
        assertThat(client.get("/actuator/" + endpoint).status()).isEqualTo(404);
    }

}
