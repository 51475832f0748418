package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.uuid.Generators;
import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.Job;
import dev.failfast.batch.TestBatches;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.Deferrals;
import dev.failfast.engine.JobRun;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.TestDatabases;
import dev.failfast.testing.SettableClock;
import dev.failfast.testing.StepJob;
import dev.failfast.testing.StopStory;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stop report on a cluster replica and a real PostgreSQL database: {@link StopStory},
 * as a single instance tells it ({@code LocalStopReportTest}), on real job threads, with
 * the replica's claims and outcome writes made one by one by the test. The report, the
 * jobs and their histories come out the same.
 */
class ClusterStopReportTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SettableClock clock = new SettableClock(StopStory.T0);

    private final StepJob steps = new StepJob();

    private final LinkedBlockingDeque<Settlement> settlements = new LinkedBlockingDeque<>();

    private final HeldBatches held = new HeldBatches();

    private final WorkerThreads threads = new WorkerThreads(4, 1);

    private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    private HikariDataSource database;

    private JdbcBatchStore store;

    private ClusterStore cluster;

    private HeldAttempts attempts;

    private OutcomeWriter writer;

    @BeforeEach
    void setUp() {
        database = TestDatabases.postgres("failfast_cluster_stop_report_test");
        TestDatabases.flyway(database).migrate();
        store = new JdbcBatchStore(database, JSON, Duration.ofMillis(100), 100);
        cluster = new ClusterStore(database, JSON);
        JdbcClient.create(database)
            .sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
            .params("node-a", StopStory.T0.atOffset(ZoneOffset.UTC),
                    StopStory.T0.plusSeconds(36_000).atOffset(ZoneOffset.UTC))
            .update();
        executor.setCorePoolSize(4);
        executor.setThreadNamePrefix("test-replica-job-");
        executor.initialize();
        scheduler.setClock(clock);
        scheduler.initialize();
        var runner = new AttemptRunner(new JobHandlers(List.of(steps)), JSON, 1024, Deferrals.NONE);
        attempts = new HeldAttempts(cluster, runner, executor,
                new AttemptTimers(scheduler, clock, Duration.ofSeconds(1)), clock, threads, held, settlements,
                Duration.ofMillis(100));
        writer = new OutcomeWriter("node-a", cluster, clock, settlements, attempts, held, threads, result -> {
        }, Duration.ofMillis(100), Deferrals.NONE);
    }

    @AfterEach
    void tearDown() {
        executor.shutdown();
        scheduler.shutdown();
        store.close();
        database.close();
    }

    @Test
    void theReportCountsWhatASingleInstanceCountsForTheSameStory() throws Exception {
        Batch batch = create(StopStory.batch());
        HeldBatch heldBatch = claimAndStart(3);
        for (String id : List.of("s1", "g1", "g2")) {
            steps.awaitStarted(id);
        }
        clock.advance(Duration.ofSeconds(2));
        steps.open("s1");
        writeSettlements(heldBatch, 1);
        claimAndStart(1);
        steps.awaitStarted("f");
        clock.advance(Duration.ofSeconds(3));
        steps.open("f");
        writeSettlements(heldBatch, 1); // f fails: the cause stops g1 and g2 here
        writeSettlements(heldBatch, 2);

        Batch ended = store.findBatch(batch.id()).orElseThrow();
        assertThat(ended.state().isTerminal()).isTrue();
        StopStory.assertStopped(ended, store);
    }

    /** Claims up to {@code max} jobs for this replica and starts their attempts. */
    private HeldBatch claimAndStart(int max) {
        var claim = cluster.claim("node-a", max, clock.instant()).orElseThrow();
        HeldBatch heldBatch = held.hold(claim.batch().id(), claim.batch().run(), claim.batch().owner().tenant(),
                claim.jobs());
        for (Job job : claim.jobs()) {
            attempts.start(heldBatch, new JobRun(job, null), job.attempts(), threads.take());
        }
        return heldBatch;
    }

    /** Waits for {@code n} settlements and writes them, as the outcome writer does. */
    private void writeSettlements(HeldBatch heldBatch, int n) {
        await().until(() -> settlements.size() >= n);
        List<Settlement> items = new ArrayList<>();
        settlements.drainTo(items);
        writer.write(heldBatch, items);
    }

    private Batch create(BatchSpec spec) {
        var batch = Batch.queued(Generators.timeBasedEpochGenerator().generate(), TestBatches.OWNER, spec,
                StopStory.T0);
        store.create(batch, spec.jobs().stream().map(Job::pending).toList());
        return batch;
    }

}
