package dev.failfast.engine.local;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.engine.RedriveScenarios;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Redrive ({@link RedriveScenarios}) on the single instance, over HTTP. */
@FailfastServerTest
class LocalRedriveTest extends RedriveScenarios {

    @LocalServerPort
    int port;

    private ApiClient client;

    @BeforeEach
    void newTenant() {
        client = new ApiClient(port).withNewKey("redrive-" + UUID.randomUUID().toString().substring(0, 8),
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
