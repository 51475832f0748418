package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.uuid.Generators;
import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.Owner;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.RunningCaps;
import dev.failfast.store.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Claims across tenants on a real PostgreSQL database, replica by replica: the tenant
 * with the fewest running jobs over the cluster goes first, then the batch claimed least
 * recently within it, and a tenant's {@code max-running-jobs} holds over all replicas,
 * also when they claim at the same moment.
 */
class ClusterTenantClaimsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final List<String> NODES = List.of("node-a", "node-b", "node-c", "node-d");

    private HikariDataSource database;

    private JdbcBatchStore store;

    private ClusterStore cluster;

    @BeforeEach
    void migrate() {
        database = TestDatabases.postgres("failfast_cluster_tenant_test");
        TestDatabases.flyway(database).migrate();
        store = new JdbcBatchStore(database, JSON, Duration.ofMillis(100), 100);
        cluster = new ClusterStore(database, JSON);
        for (String node : NODES) {
            JdbcClient.create(database)
                .sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
                .params(node, NOW.atOffset(ZoneOffset.UTC), NOW.plusSeconds(3600).atOffset(ZoneOffset.UTC))
                .update();
        }
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
    }

    @Test
    void theTenantWithTheFewestRunningJobsGoesFirstThenTheBatchClaimedLeastRecently() {
        Batch a1 = create("tenant-a", 10, 10);
        Batch b1 = create("tenant-b", 5, 5);
        Batch a2 = create("tenant-a", 10, 10);

        List<UUID> claimed = IntStream.range(0, 7)
            .mapToObj(i -> cluster.claim("node-a", 2, NOW.plusSeconds(i)).orElseThrow().batch().id())
            .toList();

        // Equal tenants take turns (a, b, a, b…); tenant-b's batch has 5 jobs, so its
        // third
        // claim takes its last one, and the rest goes to tenant-a, whose batches take
        // turns.
        assertThat(claimed).containsExactly(a1.id(), b1.id(), a2.id(), b1.id(), a1.id(), b1.id(), a2.id());
    }

    @Test
    void aTenantsHugeBacklogDoesNotDelayAnotherTenantsSmallBatch() {
        create("tenant-a", 2_000, 16);
        for (int i = 0; i < 50; i++) {
            create("tenant-a", 5, 5);
        }
        for (int i = 0; i < 8; i++) {
            assertThat(cluster.claim(NODES.get(i % NODES.size()), 2, NOW.plusSeconds(i))).isPresent();
        }

        Batch small = create("tenant-b", 5, 5);
        var next = cluster.claim("node-b", 16, NOW.plusSeconds(10)).orElseThrow();

        assertThat(next.batch().id()).as("the next claim, with 16 of tenant-a's jobs running").isEqualTo(small.id());
        assertThat(next.jobs()).hasSize(5);
    }

    @Test
    void aTenantsMaxRunningJobsHoldsOverAllReplicas() {
        var caps = new RunningCaps(Map.of("tenant-a", 3), RunningCaps.NONE);
        Batch a1 = create("tenant-a", 10, 10);
        create("tenant-a", 10, 10);
        Batch b1 = create("tenant-b", 10, 10);

        var first = cluster.claim("node-a", 2, caps, NOW).orElseThrow();
        var second = cluster.claim("node-b", 2, caps, NOW.plusSeconds(1)).orElseThrow();
        var third = cluster.claim("node-c", 2, caps, NOW.plusSeconds(2)).orElseThrow();
        var fourth = cluster.claim("node-a", 2, caps, NOW.plusSeconds(3)).orElseThrow();

        assertThat(first.batch().id()).isEqualTo(a1.id());
        assertThat(first.jobs()).hasSize(2);
        assertThat(second.batch().id()).as("fewest running: tenant-b").isEqualTo(b1.id());
        assertThat(third.batch().owner().tenant()).isEqualTo("tenant-a");
        assertThat(third.jobs()).as("one place left of tenant-a's three").hasSize(1);
        assertThat(fourth.batch().id()).as("tenant-a is at its cap").isEqualTo(b1.id());
        assertThat(runningOf("tenant-a")).isEqualTo(3);

        finishOne(first);
        var fifth = cluster.claim("node-d", 2, caps, NOW.plusSeconds(5)).orElseThrow();
        assertThat(fifth.batch().owner().tenant()).as("fewer running than tenant-b").isEqualTo("tenant-a");
        assertThat(fifth.jobs()).as("the place a finished job gave back").hasSize(1);
    }

    @Test
    void replicasClaimingAtTheSameMomentNeverTakeATenantOverItsCap() throws Exception {
        var caps = new RunningCaps(Map.of(), 5); // every tenant's default
        for (int i = 0; i < 8; i++) {
            create("tenant-a", 10, 10);
        }
        var start = new CountDownLatch(1);
        List<Callable<Integer>> replicas = new ArrayList<>();
        for (String node : NODES) {
            replicas.add(() -> {
                start.await();
                int claimed = 0;
                for (int i = 0; i < 5; i++) {
                    claimed += cluster.claim(node, 3, caps, NOW.plusSeconds(i)).map(c -> c.jobs().size()).orElse(0);
                }
                return claimed;
            });
        }
        int total = 0;
        try (var pool = Executors.newFixedThreadPool(NODES.size())) {
            List<Future<Integer>> results = replicas.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Integer> result : results) {
                total += result.get();
            }
        }

        assertThat(total).isEqualTo(5);
        assertThat(runningOf("tenant-a")).isEqualTo(5);
    }

    /** One job of the claim succeeds, as its replica writes it. */
    private void finishOne(ClusterStore.Claim claim) {
        Job running = claim.jobs().getFirst();
        var succeeded = new Job(running.spec(), JobState.SUCCEEDED, 1, NOW, NOW.plusSeconds(4), null, null, false);
        cluster.change(claim.batch().id(), locked -> {
            var change = new BatchTransaction(locked, NOW.plusSeconds(4));
            assertThat(locked.updateOwnedJobs(List.of(succeeded), "node-a")).containsExactly(running.id());
            change.ranJobsWritten(List.of(succeeded));
            return change.commit();
        });
    }

    private long runningOf(String tenant) {
        return JdbcClient.create(database)
            .sql("SELECT COUNT(*) FROM job j JOIN batch b ON b.id = j.batch_id WHERE b.tenant = ? AND j.state = 'RUNNING'")
            .param(tenant)
            .query(Long.class)
            .single();
    }

    private Batch create(String tenant, int jobs, int maxParallelism) {
        List<JobSpec> specs = IntStream.range(0, jobs)
            .mapToObj(i -> new JobSpec("job-" + i, "sleep", JSON.createObjectNode(), null, RetryPolicy.NONE))
            .toList();
        var spec = new BatchSpec("tenants", Map.of(), FailurePolicy.CONTINUE, 0, maxParallelism, null, specs);
        // Time-ordered ids, as the engines give: of batches never claimed, the oldest
        // goes first.
        var batch = new Batch(Generators.timeBasedEpochGenerator().generate(), new Owner(tenant, "key:" + tenant), spec,
                BatchState.QUEUED, NOW, null, null, JobCounts.allPending(jobs), null);
        store.create(batch, specs.stream().map(Job::pending).toList());
        return batch;
    }

}
