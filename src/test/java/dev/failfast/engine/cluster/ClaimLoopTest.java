package dev.failfast.engine.cluster;

import static dev.failfast.batch.TestBatches.OWNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.uuid.Generators;
import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.Deferrals;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.RunningCaps;
import dev.failfast.store.TestDatabases;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * A replica that stops claiming while a claim is in flight waits for that claim: its jobs
 * are held before {@link ClaimLoop#stopClaiming} returns, so the shutdown drain waits for
 * them too instead of leaving jobs that run with no one to write their outcome.
 */
class ClaimLoopTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    private final HeldBatches held = new HeldBatches();

    private final WorkerThreads threads = new WorkerThreads(4, 1);

    private HikariDataSource database;

    private JdbcBatchStore store;

    private ClaimLoop claims;

    private Thread claimer;

    @BeforeEach
    void setUp() {
        database = TestDatabases.postgres("failfast_claim_loop_test");
        TestDatabases.flyway(database).migrate();
        store = new JdbcBatchStore(database, JSON, Duration.ofMillis(100), 100);
        var cluster = new ClusterStore(database, JSON);
        Instant now = Instant.now();
        JdbcClient.create(database)
            .sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
            .params("node-a", now.atOffset(ZoneOffset.UTC), now.plusSeconds(3600).atOffset(ZoneOffset.UTC))
            .update();
        scheduler.initialize();
        Clock clock = Clock.systemUTC();
        // Claimed jobs are handed to an executor that never runs them: they stay held.
        Executor never = task -> {
        };
        var attempts = new HeldAttempts(cluster,
                new AttemptRunner(new JobHandlers(List.of()), JSON, 1024, Deferrals.NONE), never::execute,
                new AttemptTimers(scheduler, clock, Duration.ofSeconds(1)), clock, threads, held,
                new LinkedBlockingDeque<>(), Duration.ofMillis(100));
        claims = new ClaimLoop("node-a", cluster, clock, 4, RunningCaps.UNLIMITED, Duration.ofSeconds(30), threads,
                held, attempts, result -> {
                });
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        claims.stop();
        if (claimer != null) {
            claimer.join(Duration.ofSeconds(10));
        }
        scheduler.shutdown();
        store.close();
        database.close();
    }

    @Test
    void stopClaimingReturnsOnlyOnceTheClaimInFlightIsHeld() throws Exception {
        Batch batch = create(3);
        try (Connection other = database.getConnection()) {
            // Another replica holds the batch's row: the claim waits for it.
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("SELECT id FROM batch WHERE id = ? FOR UPDATE")) {
                lock.setObject(1, batch.id());
                lock.executeQuery().close();
            }
            claims.startClaiming();
            claimer = Thread.ofPlatform().name("test-claimer").start(claims::run);
            threads.wake();
            await().atMost(Duration.ofSeconds(10)).until(this::aClaimWaitsForTheRowLock);

            CompletableFuture<Integer> heldWhenStopped = CompletableFuture.supplyAsync(() -> {
                claims.stopClaiming();
                return held.jobs();
            });
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !heldWhenStopped.isDone());
            other.commit();

            assertThat(heldWhenStopped.get()).as("the claim's jobs are held when stopClaiming returns").isEqualTo(3);
        }
    }

    /**
     * pg_stat_activity keeps a query's first 1024 bytes only: the claim's FOR UPDATE lies
     * beyond them.
     */
    private boolean aClaimWaitsForTheRowLock() {
        return JdbcClient.create(database)
            .sql("""
                    SELECT COUNT(*) FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE '%FROM batch%' AND query NOT LIKE '%pg_stat%'""")
            .query(Long.class)
            .single() > 0;
    }

    private Batch create(int jobs) {
        List<JobSpec> specs = IntStream.range(0, jobs)
            .mapToObj(i -> new JobSpec("job-" + i, "sleep", JSON.createObjectNode(), null, RetryPolicy.NONE))
            .toList();
        var spec = new BatchSpec("claims", Map.of(), FailurePolicy.FAIL_FAST, 0, jobs, null, specs);
        var batch = Batch.queued(Generators.timeBasedEpochGenerator().generate(), OWNER, spec, Instant.now());
        store.create(batch, specs.stream().map(Job::pending).toList());
        return batch;
    }

}
