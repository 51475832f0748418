package dev.failfast.engine.cluster;

import static dev.failfast.batch.TestBatches.OWNER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.uuid.Generators;
import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.Deferrals;
import dev.failfast.engine.JobRun;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobFailedException;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.TestDatabases;
import dev.failfast.testing.RawParamsHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A replica's attempts on a real PostgreSQL database: a job whose handler starts counts
 * from that start, and a claimed job whose batch got its cause on another replica before
 * the handler started never starts, even when the notice has not arrived, and is SKIPPED.
 */
class HeldAttemptsTest {

    private static final Instant CLAIMED = Instant.parse("2026-12-01T12:00:00Z");

    private static final Instant STARTED = CLAIMED.plusMillis(250);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Counts its runs; returns at once. */
    static final class Counted extends RawParamsHandler {

        Counted() {
            super("counted");
        }

        final AtomicInteger runs = new AtomicInteger();

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) throws JobFailedException {
            runs.incrementAndGet();
            if (context.params().path("failFirst").asBoolean() && context.attempt() == 1) {
                throw new JobFailedException("FLAKY", "first attempt failed");
            }
            return null;
        }

    }

    private final Counted handler = new Counted();

    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    private final LinkedBlockingDeque<Settlement> settlements = new LinkedBlockingDeque<>();

    private final HeldBatches held = new HeldBatches();

    private final WorkerThreads threads = new WorkerThreads(4, 1);

    private HikariDataSource database;

    private JdbcBatchStore store;

    private ClusterStore cluster;

    private HeldAttempts attempts;

    private OutcomeWriter writer;

    @BeforeEach
    void setUp() {
        database = TestDatabases.postgres("failfast_held_attempts_test");
        TestDatabases.flyway(database).migrate();
        store = new JdbcBatchStore(database, JSON, Duration.ofMillis(100), 100);
        cluster = new ClusterStore(database, JSON);
        JdbcClient.create(database)
            .sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
            .params("node-a", CLAIMED.atOffset(ZoneOffset.UTC), CLAIMED.plusSeconds(3600).atOffset(ZoneOffset.UTC))
            .update();
        Clock clock = Clock.fixed(STARTED, ZoneOffset.UTC);
        // Timers are due at instants of this clock: the scheduler must measure delays on
        // it too, or a retry due at a fixed instant now past would fire at once.
        scheduler.setClock(clock);
        scheduler.initialize();
        var runner = new AttemptRunner(new JobHandlers(List.of(handler)), JSON, 1024, Deferrals.NONE);
        attempts = new HeldAttempts(cluster, runner, new SyncTaskExecutor(),
                new AttemptTimers(scheduler, clock, Duration.ofSeconds(1)), clock, threads, held, settlements,
                Duration.ofMillis(100));
        writer = new OutcomeWriter("node-a", cluster, clock, settlements, attempts, held, threads, result -> {
        }, Duration.ofMillis(100), Deferrals.NONE);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdown();
        store.close();
        database.close();
    }

    @Test
    void aJobStartedIsStartedWhenItsHandlerStartedNotWhenItWasClaimed() {
        Batch batch = create(1);
        var claim = cluster.claim("node-a", 1, CLAIMED).orElseThrow();

        runClaimed(claim);

        Job job = store.findJob(batch.id(), "job-0").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.startedAt()).isEqualTo(STARTED);
        assertThat(job.attempts()).isOne();
        assertThat(handler.runs).hasValue(1);
    }

    @Test
    void aClaimedJobWhoseCauseCameFirstElsewhereNeverStartsAndIsSkipped() {
        Batch batch = create(2);
        var claim = cluster.claim("node-a", 2, CLAIMED).orElseThrow();
        // Another replica records the cause; its notice has not reached this one.
        cluster.change(batch.id(), locked -> {
            var transaction = new BatchTransaction(locked, CLAIMED.plusMillis(10));
            transaction
                .recordCause(CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, CLAIMED.plusMillis(10)));
            return transaction.commit();
        });

        runClaimed(claim);

        assertThat(handler.runs).as("no handler started after the cause").hasValue(0);
        assertThat(store.findBatch(batch.id()).orElseThrow().state()).isEqualTo(BatchState.CANCELLED);
        assertThat(List.of(store.findJob(batch.id(), "job-0").orElseThrow(),
                store.findJob(batch.id(), "job-1").orElseThrow()))
            .allSatisfy(job -> {
                assertThat(job.state()).isEqualTo(JobState.SKIPPED);
                assertThat(job.attempts()).isZero();
                assertThat(job.startedAt()).isNull();
            });
        assertThat(held.jobs()).isZero();
    }

    @Test
    void aReplicaThatLeavesHandsItsWaitingRetriesBackForAnotherToRun() {
        Batch batch = create(1, true);
        var claim = cluster.claim("node-a", 1, CLAIMED).orElseThrow();
        runClaimed(claim); // the first attempt fails; its retry waits out an hour's
                           // backoff here
        assertThat(store.findJob(batch.id(), "job-0").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(held.jobs()).isOne();

        attempts.leave(held.all());
        writeSettlements(held.all().iterator().next());

        Job handedBack = store.findJob(batch.id(), "job-0").orElseThrow();
        assertThat(handedBack.state()).isEqualTo(JobState.PENDING);
        assertThat(handedBack.attempts()).as("its failed attempt counts").isOne();
        assertThat(handedBack.error().type()).isEqualTo("FLAKY");
        assertThat(held.jobs()).as("nothing left to wait for on shutdown").isZero();
        assertThat(store.findBatch(batch.id()).orElseThrow().counts().pending()).isOne();
        JdbcClient.create(database)
            .sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
            .params("node-b", CLAIMED.atOffset(ZoneOffset.UTC), CLAIMED.plusSeconds(3600).atOffset(ZoneOffset.UTC))
            .update();
        var again = cluster.claim("node-b", 1, CLAIMED.plusSeconds(1)).orElseThrow();
        assertThat(again.jobs()).extracting(Job::attempts).as("another replica runs the retry").containsExactly(2);
    }

    /**
     * Hands the claimed jobs to the (synchronous) executor, then writes what they left.
     */
    private void runClaimed(ClusterStore.Claim claim) {
        HeldBatch heldBatch = held.hold(claim.batch().id(), claim.batch().run(), claim.batch().owner().tenant(),
                claim.jobs());
        for (Job job : claim.jobs()) {
            attempts.start(heldBatch, new JobRun(job, null), job.attempts(), threads.take());
        }
        writeSettlements(heldBatch);
    }

    private void writeSettlements(HeldBatch heldBatch) {
        List<Settlement> items = new ArrayList<>();
        settlements.drainTo(items);
        writer.write(heldBatch, items);
    }

    private Batch create(int jobs) {
        return create(jobs, false);
    }

    /**
     * {@code failFirst}: each job's first attempt fails, and it has a second after an
     * hour.
     */
    private Batch create(int jobs, boolean failFirst) {
        RetryPolicy retry = failFirst ? new RetryPolicy(2, Duration.ofHours(1), 1.0, Duration.ofHours(1))
                : RetryPolicy.NONE;
        List<JobSpec> specs = IntStream.range(0, jobs)
            .mapToObj(i -> new JobSpec("job-" + i, "counted", JSON.createObjectNode().put("failFirst", failFirst), null,
                    retry))
            .toList();
        var spec = new BatchSpec("held", Map.of(), FailurePolicy.FAIL_FAST, 0, jobs, null, specs);
        var batch = Batch.queued(Generators.timeBasedEpochGenerator().generate(), OWNER, spec, CLAIMED);
        store.create(batch, specs.stream().map(Job::pending).toList());
        return batch;
    }

}
