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
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.EventPosition;
import dev.failfast.engine.FeedListener;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.settings.FailfastProperties.RecoveryMode;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cluster's transactions on a real PostgreSQL database, replica by replica: claims
 * within {@code maxParallelism} over all replicas and in turns across batches, the first
 * cause winning and skipping every pending job, writes fenced by job ownership, and the
 * settling of a lost replica's jobs in both recovery modes.
 */
class ClusterTransactionsTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HikariDataSource database;

    private JdbcBatchStore store;

    private ClusterStore cluster;

    @BeforeEach
    void migrate() {
        database = TestDatabases.postgres("failfast_cluster_tx_test");
        TestDatabases.flyway(database).migrate();
        store = new JdbcBatchStore(database, JSON, Duration.ofMillis(100), 100);
        cluster = new ClusterStore(database, JSON);
        // Claims are fenced by the claimer's lease: the replicas of these tests are
        // alive.
        for (String node : List.of("node-a", "node-b", "node-c")) {
            lease(node, NOW.plusSeconds(3600));
        }
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
    }

    @Test
    void claimsStayWithinMaxParallelismOverAllReplicas() {
        Batch batch = create(10, 4, 1);

        var first = cluster.claim("node-a", 3, NOW).orElseThrow();
        var second = cluster.claim("node-b", 3, NOW).orElseThrow();

        assertThat(first.jobs()).extracting(Job::id).containsExactly("job-0", "job-1", "job-2");
        assertThat(first.previousState()).isEqualTo(BatchState.QUEUED);
        assertThat(second.jobs()).extracting(Job::id).as("one slot left of four").containsExactly("job-3");
        assertThat(second.batch().counts()).isEqualTo(new JobCounts(10, 6, 4, 0, 0, 0, 0));
        assertThat(second.jobs()).allSatisfy(job -> {
            assertThat(job.state()).isEqualTo(JobState.RUNNING);
            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.startedAt()).isEqualTo(NOW);
        });
        assertThat(cluster.claim("node-c", 3, NOW)).as("the batch is at its parallelism").isEmpty();
        assertThat(owners(batch)).containsExactly(Map.entry("job-0", "node-a"), Map.entry("job-1", "node-a"),
                Map.entry("job-2", "node-a"), Map.entry("job-3", "node-b"));
    }

    @Test
    void aReplicaWhoseLeaseExpiredClaimsNothing() {
        create(4, 4, 1);
        lease("node-a", NOW.minusSeconds(1)); // paused past its lease: the others may be
                                              // settling its jobs

        assertThat(cluster.claim("node-a", 2, NOW)).isEmpty();
        assertThat(cluster.claim("node-x", 2, NOW)).as("a node with no lease row").isEmpty();
        assertThat(cluster.claim("node-b", 2, NOW)).isPresent();
    }

    @Test
    void replicasTakeTurnsAcrossBatches() {
        Batch older = create(10, 10, 1);
        Batch newer = create(10, 10, 1);

        List<UUID> claimed = IntStream.range(0, 4)
            .mapToObj(i -> cluster.claim("node-a", 1, NOW.plusSeconds(i)).orElseThrow().batch().id())
            .toList();

        assertThat(claimed).containsExactly(older.id(), newer.id(), older.id(), newer.id());
    }

    @Test
    void theFirstCauseWinsSkipsEveryPendingJobAndNothingIsClaimedAfterIt() {
        Batch batch = create(10, 2, 1);
        var claim = cluster.claim("node-a", 2, NOW).orElseThrow();
        Job failed = new Job(claim.jobs().getFirst().spec(), JobState.FAILED, 1, NOW, NOW.plusSeconds(1),
                new JobError("IO", "disk full", null), null, false);

        var result = cluster.change(batch.id(), locked -> {
            var change = new BatchTransaction(locked, NOW.plusSeconds(1));
            assertThat(locked.updateOwnedJobs(List.of(failed), "node-a")).containsExactly("job-0");
            change.ranJobsWritten(List.of(failed));
            return change.commit();
        }).orElseThrow();
        var later = cluster.change(batch.id(), locked -> {
            var change = new BatchTransaction(locked, NOW.plusSeconds(2));
            assertThat(change
                .recordCause(CancellationCause.of(CauseType.USER_REQUESTED, "late", null, NOW.plusSeconds(2))))
                .isFalse();
            return change.commit();
        }).orElseThrow();

        assertThat(result.causeRecorded()).isTrue();
        assertThat(result.batch().state()).isEqualTo(BatchState.CANCELLING);
        assertThat(result.batch().cancellation().cause()).isEqualTo(CauseType.JOB_FAILED);
        assertThat(result.batch().cancellation().jobId()).isEqualTo("job-0");
        assertThat(result.batch().counts()).isEqualTo(new JobCounts(10, 0, 1, 0, 1, 0, 8));
        assertThat(result.changedJobs()).hasSize(9);
        assertThat(later.batch().cancellation().cause()).as("the first cause stays").isEqualTo(CauseType.JOB_FAILED);
        assertThat(cluster.claim("node-b", 10, NOW.plusSeconds(3))).isEmpty();
        assertThat(cluster.withCause(List.of(batch.id(), UUID.randomUUID()))).containsExactly(batch.id());
    }

    @Test
    void aReplicaCannotWriteAJobItNoLongerOwns() {
        Batch batch = create(2, 2, 1);
        Job running = cluster.claim("node-a", 1, NOW).orElseThrow().jobs().getFirst();
        var succeeded = new Job(running.spec(), JobState.SUCCEEDED, 1, NOW, NOW.plusSeconds(1), null, null, false);

        var written = cluster.change(batch.id(), locked -> locked.updateOwnedJobs(List.of(succeeded), "node-b"));

        assertThat(written).contains(java.util.Set.of());
        assertThat(store.findJob(batch.id(), "job-0").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void underFailTheJobsOfALostReplicaFailAndTheBatchEndsWithCauseOwnerLost() {
        Batch batch = create(6, 3, 3);
        cluster.claim("node-a", 2, NOW);
        cluster.claim("node-b", 1, NOW);
        lease("node-a", NOW.minusSeconds(1));
        lease("node-b", NOW.plusSeconds(10));

        assertThat(cluster.lostOwners(NOW)).containsExactly("node-a");
        var result = settleLost("node-a", RecoveryMode.FAIL);

        assertThat(result.batch().cancellation().cause()).isEqualTo(CauseType.OWNER_LOST);
        assertThat(result.batch().counts()).isEqualTo(new JobCounts(6, 0, 1, 0, 2, 0, 3));
        assertThat(store.findJob(batch.id(), "job-0").orElseThrow().error().type()).isEqualTo("INTERRUPTED");
        assertThat(cluster.lostOwners(NOW)).isEmpty();
        assertThat(cluster.deleteExpiredNodes(NOW)).isEqualTo(1);
    }

    @Test
    void underResumeTheJobsOfALostReplicaAreClaimedAgain() {
        create(6, 6, 2);
        cluster.claim("node-a", 2, NOW);
        cluster.claim("node-b", 2, NOW);

        var result = settleLost("node-a", RecoveryMode.RESUME);
        var again = cluster.claim("node-b", 6, NOW.plusSeconds(1)).orElseThrow();

        assertThat(result.batch().cancellation()).isNull();
        assertThat(result.batch().counts()).isEqualTo(new JobCounts(6, 4, 2, 0, 0, 0, 0));
        assertThat(again.jobs()).extracting(Job::id)
            .as("the requeued jobs first, in order")
            .containsExactly("job-0", "job-1", "job-4", "job-5");
        assertThat(again.jobs()).extracting(Job::attempts).containsExactly(2, 2, 1, 1);
        assertThat(again.jobs().getFirst().startedAt()).as("first attempt's start kept").isEqualTo(NOW);
    }

    @Test
    void aJobPutBackAfterItsReplicaWasLostEndsCancelledNotSkippedWhenTheBatchStops() {
        Batch batch = create(4, 4, 2);
        cluster.claim("node-a", 2, NOW);
        settleLost("node-a", RecoveryMode.RESUME);

        var result = cluster.change(batch.id(), locked -> {
            var change = new BatchTransaction(locked, NOW.plusSeconds(1));
            change.recordCause(CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, NOW.plusSeconds(1)));
            return change.commit();
        }).orElseThrow();

        assertThat(result.batch().state()).isEqualTo(BatchState.CANCELLED);
        assertThat(result.batch().counts()).isEqualTo(new JobCounts(4, 0, 0, 0, 0, 2, 2));
        assertThat(result.changedJobs()).extracting(Job::id, Job::state)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("job-0", JobState.CANCELLED),
                    org.assertj.core.groups.Tuple.tuple("job-1", JobState.CANCELLED),
                    org.assertj.core.groups.Tuple.tuple("job-2", JobState.SKIPPED),
                    org.assertj.core.groups.Tuple.tuple("job-3", JobState.SKIPPED));
    }

    @Test
    void jobsASingleInstanceLeftRunningAreSettledAsLost() {
        Batch batch = create(3, 3, 1);
        var sql = JdbcClient.create(database);
        // What a single instance killed mid-batch leaves: a RUNNING job that no replica
        // owns.
        sql.sql("UPDATE job SET state = 'RUNNING', attempts = 1 WHERE batch_id = ? AND seq = 0")
            .param(batch.id())
            .update();
        sql.sql("UPDATE batch SET state = 'RUNNING', jobs_pending = 2, jobs_running = 1 WHERE id = ?")
            .param(batch.id())
            .update();

        assertThat(cluster.lostOwners(NOW)).containsExactly(ClusterStore.NO_OWNER);
        var result = settleLost(ClusterStore.NO_OWNER, RecoveryMode.FAIL);

        assertThat(result.batch().state()).isEqualTo(BatchState.FAILED);
        assertThat(result.batch().cancellation().cause()).isEqualTo(CauseType.OWNER_LOST);
        assertThat(result.batch().cancellation().message()).startsWith("The single instance");
        assertThat(result.batch().counts()).isEqualTo(new JobCounts(3, 0, 0, 0, 1, 0, 2));
        assertThat(cluster.lostOwners(NOW)).isEmpty();
    }

    @Test
    void aClaimTheReplicaNeverLearnedOfIsPutBackAndClaimedAgainAsItsFirstAttempt() {
        Batch batch = create(4, 4, 1);
        cluster.claim("node-a", 2, NOW); // committed, but say its reply was lost

        var result = cluster.change(batch.id(), locked -> {
            var change = new BatchTransaction(locked, NOW.plusSeconds(2));
            change.claimsLost(List.of("job-0", "job-1"), "node-a");
            return change.commit();
        }).orElseThrow();
        var again = cluster.claim("node-b", 4, NOW.plusSeconds(3)).orElseThrow();

        assertThat(result.batch().counts()).isEqualTo(new JobCounts(4, 4, 0, 0, 0, 0, 0));
        assertThat(result.changedJobs()).allSatisfy(job -> {
            assertThat(job.state()).isEqualTo(JobState.PENDING);
            assertThat(job.attempts()).isZero();
            assertThat(job.startedAt()).isNull();
        });
        assertThat(again.jobs()).extracting(Job::id).containsExactly("job-0", "job-1", "job-2", "job-3");
        assertThat(again.jobs()).extracting(Job::attempts).containsOnly(1);
    }

    @Test
    void aLostClaimOfABatchCancelledMeanwhileIsSkipped() {
        Batch batch = create(4, 2, 1);
        cluster.claim("node-a", 2, NOW);
        cluster.change(batch.id(), locked -> {
            var change = new BatchTransaction(locked, NOW.plusSeconds(1));
            change.recordCause(CancellationCause.of(CauseType.USER_REQUESTED, "stop", null, NOW.plusSeconds(1)));
            return change.commit();
        });

        var result = cluster.change(batch.id(), locked -> {
            var change = new BatchTransaction(locked, NOW.plusSeconds(2));
            change.claimsLost(List.of("job-0", "job-1"), "node-a");
            return change.commit();
        }).orElseThrow();

        assertThat(result.batch().state()).isEqualTo(BatchState.CANCELLED);
        assertThat(result.batch().counts()).isEqualTo(new JobCounts(4, 0, 0, 0, 0, 0, 4));
        assertThat(store.findJob(batch.id(), "job-0").orElseThrow().state()).isEqualTo(JobState.SKIPPED);
    }

    @Test
    void changesSinceAVersionAreTheJobsChangedAfterIt() {
        Batch batch = create(4, 4, 1);
        long before = cluster.version(batch.id()).orElseThrow();
        cluster.claim("node-a", 2, NOW);
        long afterFirst = cluster.version(batch.id()).orElseThrow();
        cluster.claim("node-a", 1, NOW);

        var all = cluster.changesSince(batch.id(), before).orElseThrow();
        var last = cluster.changesSince(batch.id(), afterFirst).orElseThrow();

        assertThat(all.jobs()).extracting(Job::id).containsExactly("job-0", "job-1", "job-2");
        assertThat(last.jobs()).extracting(Job::id).containsExactly("job-2");
        assertThat(last.batch().counts().running()).isEqualTo(3);
        assertThat(cluster.changesSince(batch.id(), last.version()).orElseThrow().jobs()).isEmpty();
    }

    @Test
    void changesAfterAJobOfAVersionAreTheLaterJobsOfThatVersionAndTheJobsOfLaterOnes() {
        Batch batch = create(4, 4, 1);
        cluster.claim("node-a", 2, NOW);
        long first = cluster.version(batch.id()).orElseThrow();
        cluster.claim("node-a", 1, NOW);

        var afterJob0 = cluster.changesAfter(batch.id(), first, 0, 100).orElseThrow();

        assertThat(afterJob0.changed()).extracting(changed -> changed.job().id() + "@" + changed.seq())
            .containsExactly("job-1@1", "job-2@2");
        assertThat(afterJob0.changed().getFirst().version()).isEqualTo(first);
        assertThat(afterJob0.changed().getLast().version()).isEqualTo(afterJob0.version()).isGreaterThan(first);
        assertThat(cluster.changesAfter(batch.id(), afterJob0.version(), 2, 100).orElseThrow().changed()).isEmpty();
        assertThat(cluster.versioned(batch.id()).orElseThrow().version()).isEqualTo(afterJob0.version());
    }

    @Test
    void changesAfterReadsAtMostTheBoundAndTellsWhetherMoreChanged() {
        Batch batch = create(4, 4, 1);
        long before = cluster.version(batch.id()).orElseThrow();
        cluster.claim("node-a", 3, NOW);

        var bounded = cluster.changesAfter(batch.id(), before, Integer.MAX_VALUE, 2).orElseThrow();
        var exact = cluster.changesAfter(batch.id(), before, Integer.MAX_VALUE, 3).orElseThrow();

        assertThat(bounded.changed()).extracting(changed -> changed.job().id()).containsExactly("job-0", "job-1");
        assertThat(bounded.more()).isTrue();
        assertThat(exact.changed()).hasSize(3);
        assertThat(exact.more()).isFalse();
    }

    @Test
    void aStreamResumingFromFurtherBackThanReplayEventsJobsIsToldToResetNotSentEveryJob() {
        // Last-Event-ID: c.0.0 on a large batch: without the bound the request thread
        // reads every changed job of it.
        Batch batch = create(6, 6, 1);
        cluster.claim("node-a", 6, NOW);
        var relay = relay(Map.of("failfast.streams.replay-events", "5"));
        var wide = relay(Map.of("failfast.streams.replay-events", "6"));

        assertThat(relay.since(batch.id(), new EventPosition("c", 0, 0))).as("six changed, five may be replayed")
            .isEmpty();
        assertThat(wide.since(batch.id(), new EventPosition("c", 0, 0)))
            .hasValueSatisfying(events -> assertThat(events).as("six jobs, then the batch").hasSize(7));
    }

    private ClusterEventRelay relay(Map<String, String> settings) {
        var properties = new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("failfast",
                FailfastProperties.class);
        return new ClusterEventRelay(cluster, new StaticListableBeanFactory().getBeanProvider(FeedListener.class),
                properties);
    }

    private BatchTransaction.Result settleLost(String node, RecoveryMode mode) {
        UUID batchId = cluster.batchesRunningOn(node).getFirst();
        return cluster.change(batchId, locked -> {
            var change = new BatchTransaction(locked, NOW);
            change.ownerLost(node, mode);
            return change.commit();
        }).orElseThrow();
    }

    private Batch create(int jobs, int maxParallelism, int maxAttempts) {
        var retry = new RetryPolicy(maxAttempts, Duration.ofMillis(100), 1.0, Duration.ofSeconds(1));
        List<JobSpec> specs = IntStream.range(0, jobs)
            .mapToObj(i -> new JobSpec("job-" + i, "sleep", JSON.createObjectNode(), null, retry))
            .toList();
        var spec = new BatchSpec("cluster", Map.of(), FailurePolicy.FAIL_FAST, 0, maxParallelism, null, specs);
        // Time-ordered ids, as the engines give: of batches never claimed, the oldest
        // goes first.
        var batch = new Batch(Generators.timeBasedEpochGenerator().generate(), OWNER, spec, BatchState.QUEUED, NOW,
                null, null, JobCounts.allPending(jobs), null);
        store.create(batch, specs.stream().map(Job::pending).toList());
        return batch;
    }

    private void lease(String node, Instant expiresAt) {
        JdbcClient.create(database)
            .sql("""
                    INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at""")
            .params(node, NOW.atOffset(java.time.ZoneOffset.UTC), expiresAt.atOffset(java.time.ZoneOffset.UTC))
            .update();
    }

    private Map<String, String> owners(Batch batch) {
        var owners = new java.util.LinkedHashMap<String, String>();
        JdbcClient.create(database)
            .sql("SELECT id, owner_node FROM job WHERE batch_id = ? AND owner_node IS NOT NULL ORDER BY seq")
            .param(batch.id())
            .query((rs, row) -> owners.put(rs.getString(1), rs.getString(2)))
            .list();
        return owners;
    }

}
