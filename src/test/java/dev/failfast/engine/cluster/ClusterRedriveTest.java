package dev.failfast.engine.cluster;

import dev.failfast.ApiClient;
import dev.failfast.FailfastApplication;
import dev.failfast.engine.RedriveScenarios;
import dev.failfast.store.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Redrive ({@link RedriveScenarios}) on two cluster replicas in this JVM, both on one
 * PostgreSQL schema: batches are submitted and redriven on one replica and read from the
 * other, and each replica claims one job at a time, so a redriven run's jobs may run on
 * either, as may those of the run before.
 */
class ClusterRedriveTest extends RedriveScenarios {

    private static final String SCHEMA = "failfast_redrive_test";

    private static final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    private ApiClient submitter;

    private ApiClient reader;

    @BeforeAll
    static void startReplicas() {
        // An empty schema (or the test is skipped when PostgreSQL is not reachable).
        TestDatabases.postgres(SCHEMA).close();
        for (String name : List.of("replica-a", "replica-b")) {
            replicas.add(
                    new SpringApplicationBuilder(FailfastApplication.class)
                        .properties("server.port=0", "spring.profiles.active=postgres",
                                "spring.datasource.url=" + TestDatabases.POSTGRES_URL + "&currentSchema=" + SCHEMA,
                                "failfast.cluster.enabled=true", "failfast.cluster.node-name=" + name,
                                "failfast.cluster.claim-size=1", "failfast.cluster.poll-interval=200ms",
                                "failfast.engine.cancel-grace=5s", "failfast.shutdown.drain-timeout=1s",
                                "failfast.jobs.http.allowed-networks=127.0.0.0/8",
                                "failfast.jobs.http.allowed-ports=1024-65535")
                        .run());
        }
    }

    @AfterAll
    static void stopReplicas() {
        replicas.reversed().forEach(ConfigurableApplicationContext::close);
        replicas.clear();
    }

    @BeforeEach
    void newTenant() {
        ApiClient admin = new ApiClient(port(0));
        String key = admin
            .createKey("redrive-" + UUID.randomUUID().toString().substring(0, 8), "batches:read", "batches:write")
            .get("key")
            .asString();
        submitter = new ApiClient(port(0), key);
        reader = new ApiClient(port(1), key);
    }

    private static int port(int replica) {
        return Integer.parseInt(replicas.get(replica).getEnvironment().getRequiredProperty("local.server.port"));
    }

    @Override
    protected ApiClient submitter() {
        return submitter;
    }

    @Override
    protected ApiClient reader() {
        return reader;
    }

}
