package dev.failfast.engine.cluster;

import dev.failfast.ApiClient;
import dev.failfast.FailfastApplication;
import dev.failfast.store.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two cluster replicas in this JVM, both on one empty PostgreSQL schema, each claiming
 * one job at a time, so a batch's jobs may run on either. The test is skipped when
 * PostgreSQL is not reachable (and fails under {@code CI=true}).
 */
final class InJvmReplicas implements AutoCloseable {

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    private InJvmReplicas() {
    }

    static InJvmReplicas start(String schema) {
        TestDatabases.postgres(schema).close();
        InJvmReplicas started = new InJvmReplicas();
        for (String name : List.of("replica-a", "replica-b")) {
            started.replicas.add(new SpringApplicationBuilder(FailfastApplication.class)
                .properties("server.port=0", "spring.profiles.active=postgres", "failfast.cluster.enabled=true",
                        "failfast.cluster.node-name=" + name, "failfast.cluster.claim-size=1",
                        "failfast.cluster.poll-interval=200ms", "failfast.engine.cancel-grace=5s",
                        "failfast.shutdown.drain-timeout=1s", "failfast.jobs.http.allowed-networks=127.0.0.0/8",
                        "failfast.jobs.http.allowed-ports=1024-65535")
                // An argument: the postgres profile's own URL would win over a default
                // property, and every replica would share the public schema.
                .run("--spring.datasource.url=" + TestDatabases.POSTGRES_URL + "&currentSchema=" + schema));
        }
        return started;
    }

    /**
     * A client of each replica ({@code [0]} and {@code [1]}) with a new key of a tenant
     * of its own, named {@code prefix} and a random suffix, with the read and write
     * scopes.
     */
    List<ApiClient> clientsOfNewTenant(String prefix) {
        String key = new ApiClient(port(0))
            .createKey(prefix + UUID.randomUUID().toString().substring(0, 8), "batches:read", "batches:write")
            .get("key")
            .asString();
        return List.of(new ApiClient(port(0), key), new ApiClient(port(1), key));
    }

    private int port(int replica) {
        return Integer.parseInt(replicas.get(replica).getEnvironment().getRequiredProperty("local.server.port"));
    }

    @Override
    public void close() {
        replicas.reversed().forEach(ConfigurableApplicationContext::close);
        replicas.clear();
    }

}
