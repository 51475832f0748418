package dev.failfast.engine.cluster;

import dev.failfast.ApiClient;
import dev.failfast.engine.PolicyScenarios;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The failure policies' scenario table ({@link PolicyScenarios}) on two cluster replicas
 * in this JVM, both on one PostgreSQL schema: batches are submitted to one replica and
 * read from the other, and each replica claims one job at a time, so a batch's jobs may
 * run on either and its policies are judged on what both wrote.
 */
class ClusterPolicyScenariosTest extends PolicyScenarios {

    private static InJvmReplicas replicas;

    private ApiClient submitter;

    private ApiClient reader;

    @BeforeAll
    static void startReplicas() {
        replicas = InJvmReplicas.start("failfast_policy_scenarios_test");
    }

    @AfterAll
    static void stopReplicas() {
        if (replicas != null) { // null when PostgreSQL was not reachable and the class
                                // skipped
            replicas.close();
        }
    }

    @BeforeEach
    void newTenant() {
        List<ApiClient> clients = replicas.clientsOfNewTenant("scenarios-");
        submitter = clients.get(0);
        reader = clients.get(1);
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
