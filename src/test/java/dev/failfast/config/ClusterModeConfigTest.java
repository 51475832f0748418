package dev.failfast.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.FailfastApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** Cluster mode needs PostgreSQL: on embedded H2 the service refuses to start, and says why. */
class ClusterModeConfigTest {

    @Test
    void clusterModeOnEmbeddedH2FailsAtStartupWithAClearMessage() {
        var application = new SpringApplicationBuilder(FailfastApplication.class).properties(
                "server.port=0", "management.server.port=", "failfast.cluster.enabled=true",
                "spring.datasource.url=jdbc:h2:mem:cluster-config-test");

        assertThatThrownBy(application::run).rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failfast.cluster.enabled=true needs the store in PostgreSQL")
                .hasMessageContaining("jdbc:h2:mem:cluster-config-test")
                .hasMessageContaining("Embedded H2 and the in-memory store run a single instance");
    }
}
