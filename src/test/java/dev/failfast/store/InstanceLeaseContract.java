package dev.failfast.store;

import static dev.failfast.batch.TestBatches.OWNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.testing.ManualScheduler;
import dev.failfast.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link JdbcInstanceLease}: instances are leases on one freshly migrated database,
 * sharing a clock the tests advance. Waiting for a holder's lease advances that clock
 * instead of sleeping, and the scheduled renewals and checks run only when a test
 * advances the {@link ManualScheduler}.
 */
abstract class InstanceLeaseContract {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    static final Duration TTL = Duration.ofMinutes(1);
    static final Duration MARGIN = Duration.ofSeconds(1);

    final SettableClock clock = new SettableClock(T0);

    private final List<Duration> waits = new ArrayList<>();

    private final List<JdbcInstanceLease> leases = new ArrayList<>();

    private final List<JdbcBatchStore> stores = new ArrayList<>();

    /** Owners whose instance was told it lost the lease (the service would halt). */
    final List<String> lost = new CopyOnWriteArrayList<>();

    HikariDataSource dataSource;

    final ManualScheduler scheduler = new ManualScheduler(clock);

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void migrate() {
        dataSource = freshDatabase();
        TestDatabases.flyway(dataSource).migrate();
    }

    @AfterEach
    void closeAll() {
        stores.forEach(JdbcBatchStore::close);
        leases.forEach(JdbcInstanceLease::release);
        dataSource.close();
    }

    @Test
    void firstInstanceAcquires() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);

        first.acquire();

        assertThat(row()).isEqualTo(new Row(first.owner(), T0, T0.plus(TTL)));
        assertThat(first.renew()).isTrue();
    }

    @Test
    void secondInstanceIsRefusedWhileTheFirstRenews() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        // The second waits until the first's lease would expire; the first, alive, renews
        // meanwhile.
        JdbcInstanceLease second = instance(TTL, renewedWhileWaiting(first::renew));

        assertThatThrownBy(second::acquire).isInstanceOf(InstanceLeaseHeldException.class)
            .hasMessage("Another Failfast instance (%s) is using this database, lease until %s. Failfast runs "
                    + "one instance per database, or replicas that all have failfast.cluster.enabled=true: stop "
                    + "the other instance, wait for its lease to expire, or run every instance in cluster mode",
                    first.owner(), T0.plus(TTL).minusSeconds(5).plus(TTL));
        assertThat(waits).containsExactly(TTL.plus(MARGIN));
        assertThat(row().owner()).isEqualTo(first.owner());
        assertThat(first.renew()).isTrue();
    }

    @Test
    void afterTheFirstReleasesTheSecondAcquiresAtOnce() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        clock.advance(Duration.ofSeconds(10));

        first.release();
        JdbcInstanceLease second = instance(TTL, this::mustNotWait);
        second.acquire();

        assertThat(row()).isEqualTo(new Row(second.owner(), T0.plusSeconds(10), T0.plusSeconds(10).plus(TTL)));
    }

    @Test
    void aReleasedLeaseStaysAsAFreeRow() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        clock.advance(Duration.ofSeconds(10));

        first.release();

        assertThat(row()).isEqualTo(new Row("", T0, T0.plusSeconds(10)));
    }

    @Test
    void aLeaseRowThatAnOlderVersionDeletedIsPutBack() {
        JdbcClient.create(dataSource).sql("DELETE FROM instance_lease").update();
        var replica = new NodeLease(dataSource, scheduler, clock, TTL, "replica-a-1", () -> lost.add("replica-a-1"));
        replica.acquire();
        replica.release();
        JdbcClient.create(dataSource).sql("DELETE FROM instance_lease").update();
        JdbcInstanceLease single = instance(TTL, this::mustNotWait);

        single.acquire();

        assertThat(row().owner()).isEqualTo(single.owner());
    }

    @Test
    void anExpiredLeaseIsTakenOverAtOnce() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        clock.advance(TTL.plusMillis(1));

        JdbcInstanceLease second = instance(TTL, this::mustNotWait);
        second.acquire();

        assertThat(row().owner()).isEqualTo(second.owner());
    }

    @Test
    void restartAfterACrashWaitsUntilTheDeadInstancesLeaseExpires() {
        JdbcInstanceLease killed = instance(TTL, this::mustNotWait);
        killed.acquire();
        clock.advance(Duration.ofSeconds(20));

        JdbcInstanceLease restarted = instance(TTL, wait -> {
            waits.add(wait);
            clock.advance(wait);
        });
        restarted.acquire();

        assertThat(waits).containsExactly(TTL.minusSeconds(20).plus(MARGIN));
        Instant acquiredAt = T0.plus(TTL).plus(MARGIN);
        assertThat(row()).isEqualTo(new Row(restarted.owner(), acquiredAt, acquiredAt.plus(TTL)));
    }

    @Test
    void renewingAfterLosingTheLeaseReportsItAndReleaseLeavesTheNewHolderAlone() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        clock.advance(TTL.plusSeconds(1));
        JdbcInstanceLease second = instance(TTL, this::mustNotWait);
        second.acquire();

        assertThat(first.renew()).isFalse();
        first.release();

        assertThat(row().owner()).isEqualTo(second.owner());
        assertThat(second.renew()).isTrue();
    }

    @Test
    void theHolderRenewsEveryThirdOfTheTtl() {
        Duration ttl = Duration.ofSeconds(3);
        JdbcInstanceLease lease = instance(ttl, this::mustNotWait);
        lease.acquire();

        scheduler.advance(Duration.ofMillis(999));
        assertThat(row().expiresAt()).as("not yet renewed").isEqualTo(T0.plus(ttl));
        scheduler.advance(Duration.ofMillis(1));
        assertThat(row().expiresAt()).isEqualTo(T0.plusSeconds(1).plus(ttl));
        scheduler.advance(Duration.ofSeconds(5));

        assertThat(row().expiresAt()).isEqualTo(T0.plusSeconds(6).plus(ttl));
        assertThat(lost).isEmpty();
        assertThat(scheduler.failures()).isEmpty();
    }

    @Test
    void theFirstScheduledRenewalThatFindsTheRowGoneReportsTheLossAndStopsTheSchedule() {
        JdbcInstanceLease holder = instance(TTL, this::mustNotWait);
        holder.acquire();
        JdbcClient.create(dataSource).sql("DELETE FROM instance_lease").update();

        scheduler.advance(TTL.dividedBy(3).minusMillis(1));
        assertThat(lost).as("no renewal before a third of the TTL").isEmpty();
        scheduler.advance(Duration.ofMillis(1));

        assertThat(lost).containsExactly(holder.owner());
        assertThat(scheduler.pending()).as("a lost lease stops its renewal and check").isZero();
    }

    @Test
    void aHolderThatFindsItsLeaseTakenStops() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        clock.advance(TTL.plusSeconds(1));
        JdbcInstanceLease second = instance(TTL, this::mustNotWait);
        second.acquire();

        first.renewQuietly();

        assertThat(lost).containsExactly(first.owner());
        first.release();
        assertThat(row().owner()).as("the stopped holder leaves the new one's lease alone").isEqualTo(second.owner());
    }

    @Test
    void aHolderThatCannotRenewStopsWhileItsLeaseStillHoldsAThirdOfItsTime() {
        JdbcInstanceLease holder = instance(TTL, this::mustNotWait);
        holder.acquire();
        Duration third = TTL.dividedBy(3);

        clock.advance(TTL.minus(third).minusMillis(1));
        holder.checkHeld();
        assertThat(lost).isEmpty();

        clock.advance(Duration.ofMillis(1));
        holder.checkHeld();
        assertThat(lost).containsExactly(holder.owner());
        assertThat(row().expiresAt()).as("stopped before another instance may take the lease over")
            .isAfter(clock.instant());
    }

    @Test
    void aRenewalPushesTheStopBack() {
        JdbcInstanceLease holder = instance(TTL, this::mustNotWait);
        holder.acquire();
        clock.advance(TTL.dividedBy(2));

        holder.renewQuietly();
        clock.advance(TTL.dividedBy(2));
        holder.checkHeld();

        assertThat(lost).isEmpty();
    }

    @Test
    void releasingStopsTheChecksWithoutReportingALoss() {
        JdbcInstanceLease holder = instance(TTL, this::mustNotWait);
        holder.acquire();

        holder.release();
        clock.advance(TTL);
        holder.checkHeld();
        holder.renewQuietly();

        assertThat(lost).isEmpty();
    }

    @Test
    void ofTwoInstancesStartingTogetherOneAcquiresAndTheOtherFindsItHeld() throws Exception {
        List<JdbcInstanceLease> racing = List.of(instance(TTL, this::refuseToWait), instance(TTL, this::refuseToWait));
        List<Future<Boolean>> results = new ArrayList<>();
        var together = new CyclicBarrier(racing.size());
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            for (JdbcInstanceLease lease : racing) {
                results.add(threads.submit((Callable<Boolean>) () -> {
                    together.await();
                    try {
                        lease.acquire();
                        return true;
                    }
                    catch (WaitRefused e) {
                        return false;
                    }
                }));
            }
        }

        assertThat(List.of(results.get(0).get(), results.get(1).get())).containsExactlyInAnyOrder(true, false);
        String winner = results.get(0).get() ? racing.get(0).owner() : racing.get(1).owner();
        assertThat(row().owner()).isEqualTo(winner);
    }

    @Test
    void aStoreWhoseInstanceLostTheLeaseWritesNothingOverItsSuccessor() {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        JdbcBatchStore firstStore = store(first);
        List<Job> jobs = BatchStoreContract.jobs(1);
        Batch batch = batch(jobs);
        firstStore.create(batch, jobs);
        Job running = new Job(jobs.getFirst().spec(), JobState.RUNNING, 1, T0, null, null, null, false);
        firstStore.update(withState(batch, BatchState.RUNNING, JobState.RUNNING), List.of(running));
        // The first instance stalls past its ttl; the second takes over and settles the
        // batch.
        clock.advance(TTL.plusSeconds(1));
        JdbcInstanceLease second = instance(TTL, this::mustNotWait);
        second.acquire();
        JdbcBatchStore secondStore = store(second);
        Job interrupted = new Job(jobs.getFirst().spec(), JobState.FAILED, 1, T0, T0.plusSeconds(61),
                new JobError("INTERRUPTED", "owner lost", null), null, false);
        secondStore.update(withState(batch, BatchState.FAILED, JobState.FAILED), List.of(interrupted));
        secondStore.flush();

        firstStore.flush();

        var database = JdbcClient.create(dataSource);
        assertThat(database.sql("SELECT state FROM batch").query(String.class).single()).isEqualTo("FAILED");
        assertThat(database.sql("SELECT state FROM job").query(String.class).single()).isEqualTo("FAILED");
        assertThat(lost).as("the first instance halts").containsExactly(first.owner());
        assertThat(firstStore.findBatch(batch.id()).orElseThrow().state()).as("kept in its buffer")
            .isEqualTo(BatchState.RUNNING);
        List<Job> otherJobs = BatchStoreContract.jobs(1);
        Batch other = batch(otherJobs);
        assertThatThrownBy(() -> firstStore.create(other, otherJobs)).isInstanceOf(WriteFencedException.class)
            .hasMessageContaining("held by " + second.owner());
        firstStore.update(withState(batch, BatchState.CANCELLED, JobState.CANCELLED), List.of());
        assertThatThrownBy(() -> firstStore.flush(batch.id())).isInstanceOf(WriteFencedException.class);
        assertThat(database.sql("SELECT state FROM batch").query(String.class).single()).isEqualTo("FAILED");
        assertThatThrownBy(() -> firstStore.delete(batch.id())).isInstanceOf(WriteFencedException.class);
        assertThatThrownBy(() -> firstStore.deleteFinishedBefore(T0.plus(TTL.multipliedBy(10))))
            .isInstanceOf(WriteFencedException.class);
        assertThat(database.sql("SELECT id FROM batch").query(UUID.class).list()).containsExactly(batch.id());
    }

    @Test
    void aStoreWritesNothingOnceItsInstanceReleasedTheLease() {
        JdbcInstanceLease holder = instance(TTL, this::mustNotWait);
        holder.acquire();
        JdbcBatchStore store = store(holder);
        List<Job> jobs = BatchStoreContract.jobs(1);

        holder.release();

        assertThatThrownBy(() -> store.create(batch(jobs), jobs)).isInstanceOf(WriteFencedException.class)
            .hasMessageContaining("the lease is free");
        assertThat(lost).as("a released lease is not lost").isEmpty();
    }

    @Test
    void aClusterReplicaIsRefusedWhileASingleInstanceHoldsTheDatabase() {
        JdbcInstanceLease single = instance(TTL, this::mustNotWait);
        single.acquire();
        var replica = new NodeLease(dataSource, scheduler, clock, TTL, "replica-a-1", () -> lost.add("replica-a-1"));

        assertThatThrownBy(replica::acquire).isInstanceOf(InstanceLeaseHeldException.class)
            .hasMessageContaining(single.owner());
        assertThat(JdbcClient.create(dataSource).sql("SELECT COUNT(*) FROM cluster_node").query(Long.class).single())
            .isZero();
    }

    @Test
    void aSingleInstanceWaitsForLiveReplicasAndIsRefusedWhileTheyRenew() {
        var replica = new NodeLease(dataSource, scheduler, clock, TTL, "replica-a-1", () -> lost.add("replica-a-1"));
        replica.acquire();
        JdbcInstanceLease single = instance(TTL, renewedWhileWaiting(replica::renew));

        assertThatThrownBy(single::acquire).isInstanceOf(InstanceLeaseHeldException.class)
            .hasMessageContaining("replica-a-1");
        assertThat(waits).containsExactly(TTL.plus(MARGIN));
        replica.release();
    }

    @Test
    void aSingleInstanceStartsOnceTheReplicasLeftOrTheirLeasesExpired() {
        var left = new NodeLease(dataSource, scheduler, clock, TTL, "replica-a-1", () -> lost.add("replica-a-1"));
        var killed = new NodeLease(dataSource, scheduler, clock, TTL, "replica-b-1", () -> lost.add("replica-b-1"));
        left.acquire();
        killed.acquire();
        left.release();
        clock.advance(TTL.plusSeconds(1));

        JdbcInstanceLease single = instance(TTL, this::mustNotWait);
        single.acquire();

        assertThat(row().owner()).isEqualTo(single.owner());
        assertThat(lost).isEmpty();
    }

    JdbcInstanceLease instance(Duration ttl, JdbcInstanceLease.Waiter waiter) {
        var holder = new JdbcInstanceLease[1];
        var lease = new JdbcInstanceLease(dataSource, scheduler, clock, ttl, waiter, () -> lost.add(holder[0].owner()));
        holder[0] = lease;
        leases.add(lease);
        return lease;
    }

    /**
     * A store fenced by {@code lease}, with a flush interval long enough that only the
     * test flushes.
     */
    JdbcBatchStore store(JdbcInstanceLease lease) {
        var store = new JdbcBatchStore(dataSource, BatchStoreContract.JSON, Duration.ofMinutes(10), 1000,
                lease.fence());
        stores.add(store);
        return store;
    }

    static Batch batch(List<Job> jobs) {
        var spec = new BatchSpec("fenced", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, null,
                jobs.stream().map(Job::spec).toList());
        return new Batch(UUID.randomUUID(), OWNER, spec, BatchState.QUEUED, T0, null, null,
                JobCounts.allPending(jobs.size()), null);
    }

    /** The batch in {@code state}, its one job moved from PENDING to {@code jobState}. */
    static Batch withState(Batch batch, BatchState state, JobState jobState) {
        return new Batch(batch.id(), OWNER, batch.spec(), state, batch.createdAt(), T0,
                state.isTerminal() ? T0.plusSeconds(61) : null, batch.counts().moved(JobState.PENDING, jobState), null);
    }

    /**
     * Waits by advancing the clock, with the holder renewing its lease 5 s before it
     * would expire.
     */
    private JdbcInstanceLease.Waiter renewedWhileWaiting(Runnable renewal) {
        return wait -> {
            waits.add(wait);
            clock.advance(wait.minus(MARGIN).minusSeconds(5));
            renewal.run();
            clock.advance(Duration.ofSeconds(5).plus(MARGIN));
        };
    }

    void mustNotWait(Duration wait) {
        throw new AssertionError("Waited " + wait + " for a lease that should have been free");
    }

    void refuseToWait(Duration wait) {
        throw new WaitRefused();
    }

    Row row() {
        return JdbcClient.create(dataSource)
            .sql("SELECT owner, acquired_at, expires_at FROM instance_lease WHERE id = 1")
            .query((rs, n) -> new Row(rs.getString("owner"),
                    rs.getObject("acquired_at", OffsetDateTime.class).toInstant(),
                    rs.getObject("expires_at", OffsetDateTime.class).toInstant()))
            .single();
    }

    record Row(String owner, Instant acquiredAt, Instant expiresAt) {
    }

    static final class WaitRefused extends RuntimeException {

    }

}
