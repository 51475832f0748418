package dev.failfast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.TransactionException;

/**
 * The instance lease on PostgreSQL (skipped when no server is reachable, unless CI=true).
 */
class PostgresInstanceLeaseTest extends InstanceLeaseContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres("failfast_instance_lease");
    }

    @Test
    void aRenewalWhoseCommitFailsDoesNotExtendTheLease() {
        JdbcInstanceLease holder = instance(TTL, this::mustNotWait);
        holder.acquire();
        // A deferred constraint trigger lets the renewal's UPDATE run and fails its
        // commit.
        var database = new JdbcTemplate(dataSource);
        database.execute("""
                CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql
                AS $$ BEGIN RAISE EXCEPTION 'commit refused'; END $$""");
        database.execute("""
                CREATE CONSTRAINT TRIGGER refuse_commit AFTER UPDATE ON instance_lease
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()""");
        clock.advance(TTL.dividedBy(2));

        assertThatThrownBy(holder::renew).isInstanceOf(TransactionException.class);
        assertThatCode(holder::renewQuietly).as("a failed commit is retried like any failed renewal")
            .doesNotThrowAnyException();
        assertThat(row().expiresAt()).isEqualTo(T0.plus(TTL));

        // The lease in the database ends at T0 + ttl: the holder must stop a renewal
        // interval before.
        clock.advance(TTL.dividedBy(6));
        holder.checkHeld();
        assertThat(lost).containsExactly(holder.owner());
    }

    @Test
    void ofASingleInstanceAndAReplicaStartingTogetherExactlyOneStartsEveryTime() throws Exception {
        for (int round = 0; round < 20; round++) {
            JdbcInstanceLease single = instance(TTL, this::refuseToWait);
            NodeLease replica = replica(dataSource, "replica-" + round);
            var together = new CyclicBarrier(2);
            try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
                Future<Boolean> singleStarted = threads.submit(() -> {
                    together.await();
                    return started(single::acquire);
                });
                Future<Boolean> replicaStarted = threads.submit(() -> {
                    together.await();
                    return started(replica::acquire);
                });
                assertThat(List.of(singleStarted.get(), replicaStarted.get())).as("round %d", round)
                    .containsOnlyOnce(true);
            }
            single.release();
            replica.release();
        }
    }

    /**
     * One start pauses between its checks and its write until the other one has either
     * started or is waiting for a lock: with nothing to lock on a free lease, both would
     * start.
     */
    @ParameterizedTest(name = "the single instance pauses: {0}")
    @ValueSource(booleans = { true, false })
    void ofASingleInstanceAndAReplicaOnePausedBetweenCheckAndWriteExactlyOneStarts(boolean singlePauses)
            throws Exception {
        String application = "failfast-lease-race-" + singlePauses;
        try (HikariDataSource otherPool = new HikariDataSource()) {
            otherPool.setJdbcUrl(dataSource.getJdbcUrl() + "&ApplicationName=" + application);
            otherPool.setUsername("postgres");
            otherPool.setPassword("");
            var single = new JdbcInstanceLease(singlePauses ? dataSource : otherPool, scheduler, clock, TTL,
                    this::refuseToWait, () -> lost.add("single"));
            NodeLease replica = replica(singlePauses ? otherPool : dataSource, "replica-a-1");
            RenewedLease paused = singlePauses ? single : replica;
            RenewedLease other = singlePauses ? replica : single;
            var pausedAtWrite = new CountDownLatch(1);
            var otherDone = new CountDownLatch(1);
            paused.beforeAcquireWrite = () -> {
                pausedAtWrite.countDown();
                await().atMost(Duration.ofSeconds(20))
                    .until(() -> otherDone.getCount() == 0 || waitsForALock(application));
            };
            try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
                Future<Boolean> pausedStarted = threads.submit((Callable<Boolean>) () -> started(paused::acquire));
                assertThat(pausedAtWrite.await(20, TimeUnit.SECONDS)).isTrue();
                Future<Boolean> otherStarted = threads.submit((Callable<Boolean>) () -> {
                    try {
                        return started(other::acquire);
                    }
                    finally {
                        otherDone.countDown();
                    }
                });
                assertThat(List.of(pausedStarted.get(), otherStarted.get())).containsOnlyOnce(true);
            }
            finally {
                single.release();
                replica.release();
            }
        }
    }

    /**
     * A write in progress holds a shared lock on the lease row that a renewal does not
     * wait for, but a takeover does: the successor takes the lease only once the write
     * committed, and reads it.
     */
    @Test
    void aTakeoverWaitsForTheOldHoldersWriteInProgressAndARenewalDoesNot() throws Exception {
        JdbcInstanceLease first = instance(TTL, this::mustNotWait);
        first.acquire();
        JdbcBatchStore firstStore = store(first);
        List<Job> jobs = BatchStoreContract.jobs(1);
        Batch batch = batch(jobs);
        firstStore.create(batch, jobs);
        firstStore.update(withState(batch, BatchState.SUCCEEDED, JobState.SUCCEEDED), List
            .of(new Job(jobs.getFirst().spec(), JobState.SUCCEEDED, 1, T0, T0.plusSeconds(61), null, null, false)));
        var writing = new CountDownLatch(1);
        var goOn = new CountDownLatch(1);
        firstStore.beforeFlushWrite(() -> {
            writing.countDown();
            try {
                goOn.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String application = "failfast-lease-takeover";
        try (HikariDataSource otherPool = new HikariDataSource();
                ExecutorService threads = Executors.newFixedThreadPool(2)) {
            otherPool.setJdbcUrl(dataSource.getJdbcUrl() + "&ApplicationName=" + application);
            otherPool.setUsername("postgres");
            otherPool.setPassword("");
            Future<?> flush = threads.submit(() -> firstStore.flush());
            assertThat(writing.await(20, TimeUnit.SECONDS)).isTrue();

            assertThat(threads.submit(first::renew).get(10, TimeUnit.SECONDS)).as("renewed meanwhile").isTrue();
            clock.advance(TTL.plusSeconds(1));
            var second = new JdbcInstanceLease(otherPool, scheduler, clock, TTL, this::mustNotWait,
                    () -> lost.add("second"));
            Future<?> takeover = threads.submit(second::acquire);
            await().atMost(Duration.ofSeconds(20)).until(() -> takeover.isDone() || waitsForALock(application));
            assertThat(takeover).as("the takeover waits for the write in progress").isNotDone();

            goOn.countDown();
            flush.get(20, TimeUnit.SECONDS);
            takeover.get(20, TimeUnit.SECONDS);
            second.release();
        }
        assertThat(JdbcClient.create(dataSource).sql("SELECT state FROM batch").query(String.class).single())
            .as("written before the takeover, so the successor's recovery reads it")
            .isEqualTo("SUCCEEDED");
    }

    private NodeLease replica(HikariDataSource pool, String node) {
        return new NodeLease(pool, scheduler, clock, TTL, node, () -> lost.add(node));
    }

    private static boolean started(Runnable acquire) {
        try {
            acquire.run();
            return true;
        }
        catch (WaitRefused | InstanceLeaseHeldException e) {
            return false;
        }
    }

    private boolean waitsForALock(String application) {
        return JdbcClient.create(dataSource)
            .sql("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'")
            .param(application)
            .query(Long.class)
            .single() > 0;
    }

}
