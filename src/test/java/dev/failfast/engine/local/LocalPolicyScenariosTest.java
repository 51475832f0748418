package dev.failfast.engine.local;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.engine.PolicyScenarios;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The failure policies' scenario table ({@link PolicyScenarios}) on the single instance,
 * submitted and read over HTTP. Each run is a tenant of its own: a target's
 * {@code Retry-After} holds back only that tenant's calls to it.
 */
@FailfastServerTest
class LocalPolicyScenariosTest extends PolicyScenarios {

    @LocalServerPort
    int port;

    private ApiClient client;

    @BeforeEach
    void newTenant() {
        client = new ApiClient(port).withNewKey("scenarios-" + UUID.randomUUID().toString().substring(0, 8),
                "batches:read", "batches:write");
    }

    @Override
    protected ApiClient submitter() {
        return client;
    }

    @Override
    protected ApiClient reader() {
        return client;
    }

}
