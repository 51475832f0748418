package dev.failfast.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.FailfastApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Cluster mode needs PostgreSQL: on embedded H2 the service refuses to start, and says
 * why.
 */
class ClusterModeConfigTest {

    @Test
    void clusterModeOnEmbeddedH2FailsAtStartupWithAClearMessage() {
        // The test resources put the store in an in-memory H2 database.
        var application = new SpringApplicationBuilder(FailfastApplication.class).properties("server.port=0",
                "failfast.cluster.enabled=true");

        assertThatThrownBy(application::run).rootCause()
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("failfast.cluster.enabled=true needs the store in PostgreSQL")
            .hasMessageContaining("but it is in jdbc:h2:mem:")
            .hasMessageContaining("Embedded H2 and the in-memory store run a single instance");
    }

}
