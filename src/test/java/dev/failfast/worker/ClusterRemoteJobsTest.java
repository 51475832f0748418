package dev.failfast.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastApplication;
import dev.failfast.batch.Caller;
import dev.failfast.store.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Remote jobs on two cluster replicas in this JVM, on one PostgreSQL schema: the registry
 * of cluster mode is the database's, so a worker served by replica B runs the remote jobs
 * of a batch submitted to replica A, whichever replica's engine runs them, and a cancel
 * of the batch reaches the worker's listener on B. Skipped when PostgreSQL is not
 * reachable (fails under {@code CI=true}).
 */
class ClusterRemoteJobsTest {

    private static final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    private static final Duration SOON = Duration.ofSeconds(20);

    @BeforeAll
    static void startReplicas() {
        String schema = "failfast_cluster_remote_jobs_test";
        TestDatabases.postgres(schema).close();
        for (String name : List.of("replica-a", "replica-b")) {
            replicas.add(new SpringApplicationBuilder(FailfastApplication.class)
                .properties("server.port=0", "spring.profiles.active=postgres", "failfast.cluster.enabled=true",
                        "failfast.cluster.node-name=" + name, "failfast.cluster.poll-interval=200ms",
                        "failfast.engine.cancel-grace=5s", "failfast.shutdown.drain-timeout=1s")
                // An argument: the postgres profile's own URL would win over a default
                // property, and every replica would share the public schema.
                .run("--spring.datasource.url=" + TestDatabases.POSTGRES_URL + "&currentSchema=" + schema));
        }
    }

    @AfterAll
    static void stopReplicas() {
        replicas.reversed().forEach(ConfigurableApplicationContext::close);
        replicas.clear();
    }

    @Test
    void eachReplicaHasTheDatabasesRegistry() {
        assertThat(replicas).allSatisfy(
                replica -> assertThat(replica.getBean(RemoteAttempts.class)).isInstanceOf(JdbcRemoteAttempts.class));
    }

    @Test
    void aWorkerOfReplicaBRunsTheRemoteJobsOfABatchSubmittedToReplicaA() throws Exception {
        String tenant = "remote-" + UUID.randomUUID().toString().substring(0, 8);
        ApiClient client = clientOf(tenant, 0);
        RemoteAttempts registryB = replicas.get(1).getBean(RemoteAttempts.class);
        WorkerSession worker = registryB.register(new Caller(tenant, "key:worker", false), "test", names("download"),
                4);

        String batch = client.submit(
                Map.of("jobs", List.of(Map.of("id", "dl-1", "type", "remote:download", "params", Map.of("key", "a")),
                        Map.of("id", "dl-2", "type", "remote:download", "params", Map.of("key", "b")))));
        List<HeldAttempt> claimed = new ArrayList<>();
        await().atMost(SOON)
            .until(() -> claimed.addAll(registryB.claim(tenant, worker.id(), 4, Duration.ofSeconds(1)))
                    && claimed.size() == 2);
        for (HeldAttempt attempt : claimed) {
            assertThat(attempt.offer().batchId()).isEqualTo(UUID.fromString(batch));
            registryB.report(tenant, worker.id(), attempt.id(), new AttemptReport.Completed(
                    ApiClient.parse("{\"got\": \"" + attempt.offer().params().get("key").asString() + "\"}")));
        }

        JsonNode done = client.awaitTerminal(batch, SOON);
        assertThat(done.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(client.job(batch, "dl-2").get("result")).isEqualTo(ApiClient.parse("{\"got\": \"b\"}"));
    }

    @Test
    void aCancelOfTheBatchReachesTheWorkersListenerOnTheOtherReplica() throws Exception {
        String tenant = "remote-" + UUID.randomUUID().toString().substring(0, 8);
        ApiClient client = clientOf(tenant, 0);
        RemoteAttempts registryB = replicas.get(1).getBean(RemoteAttempts.class);
        WorkerSession worker = registryB.register(new Caller(tenant, "key:worker", false), "test", names("download"),
                4);
        List<CancelNotice> heard = new CopyOnWriteArrayList<>();
        registryB.listen(tenant, worker.id(), new WorkerListener() {
            @Override
            public void cancelled(CancelNotice notice) {
                heard.add(notice);
            }

            @Override
            public void lost() {
            }
        });
        String batch = client.submit(
                Map.of("jobs", List.of(Map.of("id", "dl-1", "type", "remote:download", "params", Map.of("key", "a")))));
        List<HeldAttempt> claimed = new ArrayList<>();
        await().atMost(SOON)
            .until(() -> claimed.addAll(registryB.claim(tenant, worker.id(), 4, Duration.ofSeconds(1))));

        assertThat(client.post("/api/v1/batches/" + batch + "/cancel", Map.of("reason", "test")).status())
            .isEqualTo(202);

        await().atMost(SOON)
            .untilAsserted(() -> assertThat(heard).extracting(CancelNotice::attemptId)
                .containsExactly(claimed.getFirst().id()));
        registryB.report(tenant, worker.id(), claimed.getFirst().id(),
                new AttemptReport.Failed("CANCELLED", "stopped", null, null));
        JsonNode done = client.awaitTerminal(batch, SOON);
        assertThat(done.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(client.job(batch, "dl-1").get("state").asString()).isEqualTo("CANCELLED");
    }

    @Test
    void noWorkerOfAnyReplicaClaimsAnAttemptOnceItsBatchsCauseIsRecorded() throws Exception {
        String tenant = "remote-" + UUID.randomUUID().toString().substring(0, 8);
        ApiClient client = clientOf(tenant, 0);
        RemoteAttempts registryA = replicas.get(0).getBean(RemoteAttempts.class);
        RemoteAttempts registryB = replicas.get(1).getBean(RemoteAttempts.class);
        var caller = new Caller(tenant, "key:worker", false);
        WorkerSession failing = registryB.register(caller, "failing", names("step"), 1);
        WorkerSession idleA = registryA.register(caller, "idle-a", names("step"), 4);
        WorkerSession idleB = registryB.register(caller, "idle-b", names("step"), 4);
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(Map.of("id", "s-" + i, "type", "remote:step", "params", Map.of()));
        }
        String batch = client.submit(Map.of("failurePolicy", "FAIL_FAST", "maxParallelism", 4, "jobs", jobs));
        List<HeldAttempt> first = new ArrayList<>();
        await().atMost(SOON).until(() -> first.addAll(registryB.claim(tenant, failing.id(), 1, Duration.ofSeconds(1))));

        registryB.report(tenant, failing.id(), first.getFirst().id(),
                new AttemptReport.Failed("BOOM", "the first failure", null, null));

        JsonNode done = client.awaitTerminal(batch, SOON);
        assertThat(done.get("state").asString()).isEqualTo("FAILED");
        assertThat(registryA.claim(tenant, idleA.id(), 4, Duration.ZERO)).isEmpty();
        assertThat(registryB.claim(tenant, idleB.id(), 4, Duration.ZERO)).isEmpty();
        assertThat(done.get("counts").get("succeeded").asInt() + done.get("counts").get("failed").asInt())
            .as("only the failing job ran")
            .isEqualTo(1);
    }

    private static ApiClient clientOf(String tenant, int replica) {
        String key = new ApiClient(port(0)).createKey(tenant, "batches:read", "batches:write", "batches:cancel")
            .get("key")
            .asString();
        return new ApiClient(port(replica), key);
    }

    private static int port(int replica) {
        return Integer.parseInt(replicas.get(replica).getEnvironment().getRequiredProperty("local.server.port"));
    }

    private static SortedSet<String> names(String... names) {
        return new TreeSet<>(List.of(names));
    }

}
