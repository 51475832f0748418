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
import dev.failfast.job.RetryLaterException;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.TestDatabases;
import dev.failfast.testing.ManualScheduler;
import dev.failfast.testing.RawParamsHandler;
import dev.failfast.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A target that asks to be called again later, on a cluster replica and a real PostgreSQL
 * database: the deferral is written with the job (so its bound holds on whichever replica
 * runs it next), the attempt runs again here after the wait, cut to
 * {@code max-retry-later}, without counting a failed attempt; a job deferred too often
 * fails like any failure; a cause recorded during the wait cancels it.
 */
class ClusterRetryLaterTest {

    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Asks to be called again after an hour for its first {@code busyCalls} calls. */
    static final class Busy extends RawParamsHandler {

        final AtomicInteger calls = new AtomicInteger();

        Busy() {
            super("busy");
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) throws JobFailedException {
            if (calls.incrementAndGet() <= context.params().path("busyCalls").asInt()) {
                throw new RetryLaterException(Duration.ofHours(1), "HTTP_STATUS", "429 Too Many Requests");
            }
            return null;
        }

    }

    private final Busy handler = new Busy();

    private final SettableClock clock = new SettableClock(T0);

    private final ManualScheduler scheduler = new ManualScheduler(clock);

    private final LinkedBlockingDeque<Settlement> settlements = new LinkedBlockingDeque<>();

    private final HeldBatches held = new HeldBatches();

    private final WorkerThreads threads = new WorkerThreads(4, 1);

    // A minute at most, twice per job.
    private final Deferrals deferrals = new Deferrals(Duration.ZERO, Duration.ofMinutes(1), 2);

    private HikariDataSource database;

    private JdbcBatchStore store;

    private ClusterStore cluster;

    private HeldAttempts attempts;

    private OutcomeWriter writer;

    @BeforeEach
    void setUp() {
        database = TestDatabases.postgres("failfast_cluster_retry_later_test");
        TestDatabases.flyway(database).migrate();
        store = new JdbcBatchStore(database, JSON, Duration.ofMillis(100), 100);
        cluster = new ClusterStore(database, JSON);
        JdbcClient.create(database)
            .sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
            .params("node-a", T0.atOffset(ZoneOffset.UTC), T0.plusSeconds(36_000).atOffset(ZoneOffset.UTC))
            .update();
        var runner = new AttemptRunner(new JobHandlers(List.of(handler)), JSON, 1024, deferrals);
        attempts = new HeldAttempts(cluster, runner, new SyncTaskExecutor(),
                new AttemptTimers(scheduler, clock, Duration.ofSeconds(1)), clock, threads, held, settlements,
                Duration.ofMillis(100));
        writer = new OutcomeWriter("node-a", cluster, clock, settlements, attempts, held, threads, result -> {
        }, Duration.ofMillis(100), deferrals);
    }

    @AfterEach
    void tearDown() {
        store.close();
        database.close();
    }

    @Test
    void aDeferredJobWaitsWithoutFailingAndRunsAgainHereAfterTheCappedWait() {
        Batch batch = create(1);
        HeldBatch heldBatch = runClaimed();

        Job waiting = job(batch);
        assertThat(waiting.state()).isEqualTo(JobState.RUNNING);
        assertThat(waiting.attempts()).isOne();
        assertThat(waiting.deferrals()).as("written with the job").isOne();
        assertThat(waiting.error().message()).isEqualTo("429 Too Many Requests");
        assertThat(store.findBatch(batch.id()).orElseThrow().counts().failed()).isZero();

        assertThat(scheduler.nextDue()).as("an hour asked, a minute allowed").hasValue(T0.plusSeconds(60));
        runTimers(heldBatch, Duration.ofMinutes(1));

        Job done = job(batch);
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.deferrals()).isOne();
        assertThat(store.findBatch(batch.id()).orElseThrow().state()).isEqualTo(BatchState.SUCCEEDED);
    }

    @Test
    void aJobDeferredAsOftenAsAllowedFailsAndFailFastStopsTheBatch() {
        Batch batch = create(100);
        HeldBatch heldBatch = runClaimed();
        runTimers(heldBatch, Duration.ofMinutes(1));
        runTimers(heldBatch, Duration.ofMinutes(1));

        Job failed = job(batch);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.deferrals()).isEqualTo(2);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.error().type()).isEqualTo("HTTP_STATUS");
        Batch ended = store.findBatch(batch.id()).orElseThrow();
        assertThat(ended.cancellation().cause()).isEqualTo(CauseType.JOB_FAILED);
        assertThat(ended.state()).isEqualTo(BatchState.FAILED);
        assertThat(handler.calls).hasValue(3);
    }

    @Test
    void aCauseRecordedDuringTheWaitCancelsTheWaitingJob() {
        Batch batch = create(1);
        HeldBatch heldBatch = runClaimed();
        // Another replica records the cause, and its notice arrives here.
        cluster.change(batch.id(), locked -> {
            var transaction = new BatchTransaction(locked, T0.plusSeconds(1));
            transaction.recordCause(CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, T0.plusSeconds(1)));
            return transaction.commit();
        });
        attempts.causeRecorded(batch.id(), batch.run());
        writeSettlements(heldBatch);

        Job cancelled = job(batch);
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.error().message()).as("why it was waiting").isEqualTo("429 Too Many Requests");
        assertThat(store.findBatch(batch.id()).orElseThrow().state()).isEqualTo(BatchState.CANCELLED);
        assertThat(held.jobs()).isZero();
        runTimers(heldBatch, Duration.ofMinutes(1));
        assertThat(handler.calls).as("never called again").hasValue(1);
    }

    /**
     * Claims the job, runs its attempt on the (synchronous) executor, writes what it
     * left.
     */
    private HeldBatch runClaimed() {
        var claim = cluster.claim("node-a", 1, clock.instant()).orElseThrow();
        HeldBatch heldBatch = held.hold(claim.batch().id(), claim.batch().run(), claim.batch().owner().tenant(),
                claim.jobs());
        for (Job job : claim.jobs()) {
            attempts.start(heldBatch, new JobRun(job, null), job.attempts(), threads.take());
        }
        writeSettlements(heldBatch);
        return heldBatch;
    }

    /**
     * Moves the clock, firing the timers due, and writes what they left: a retry is
     * written before it starts, and the attempt it starts is written after.
     */
    private void runTimers(HeldBatch heldBatch, Duration by) {
        scheduler.advance(by);
        writeSettlements(heldBatch);
        writeSettlements(heldBatch);
    }

    private void writeSettlements(HeldBatch heldBatch) {
        List<Settlement> items = new ArrayList<>();
        settlements.drainTo(items);
        if (!items.isEmpty()) {
            writer.write(heldBatch, items);
        }
    }

    private Batch create(int busyCalls) {
        var spec = new JobSpec("job", "busy", JSON.createObjectNode().put("busyCalls", busyCalls), null,
                RetryPolicy.NONE);
        var batchSpec = new BatchSpec("busy", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, null, List.of(spec));
        var batch = Batch.queued(Generators.timeBasedEpochGenerator().generate(), OWNER, batchSpec, T0);
        store.create(batch, List.of(Job.pending(spec)));
        return batch;
    }

    private Job job(Batch batch) {
        return store.findJob(batch.id(), "job").orElseThrow();
    }

}
