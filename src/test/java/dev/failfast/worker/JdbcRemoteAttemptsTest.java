package dev.failfast.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.engine.CancellationSource;
import dev.failfast.store.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The registry contract on PostgreSQL, and what the cluster adds: replicas on one
 * database (two registries with their own node ids) serve each other's offers and carry
 * each other's cancels; the attempts of a replica that died are claimed by no one and
 * their workers are told to stop them; the poll finds what a lost notice would have said.
 * Skipped when no server is reachable, unless CI=true.
 */
class JdbcRemoteAttemptsTest extends RemoteAttemptsContractTest {

    private static final Instant FAR = Instant.parse("2100-01-01T00:00:00Z");

    /** Long, so that every wake the contract checks comes from a notice. */
    private static final Duration POLL = Duration.ofMinutes(1);

    private static final Duration ABANDON_AFTER = Duration.ofSeconds(10);

    private @Nullable HikariDataSource database;

    private final List<JdbcRemoteAttempts> replicas = new ArrayList<>();

    private JdbcRemoteAttempts replicaA;

    @Override
    RemoteAttempts newRegistry() {
        database = TestDatabases.postgres("failfast_remote_workers_test");
        database.setMaximumPoolSize(16);
        TestDatabases.flyway(database).migrate();
        for (String node : List.of("node-a", "node-b", "node-c", "node-p")) {
            jdbc().sql("INSERT INTO cluster_node (id, started_at, expires_at) VALUES (?, ?, ?)")
                .params(node, clock.instant().atOffset(ZoneOffset.UTC), FAR.atOffset(ZoneOffset.UTC))
                .update();
        }
        replicaA = replica("node-a", true);
        return replicaA;
    }

    @Override
    void expireLapsedLeases() {
        replicaA.expireLapsedLeases();
    }

    @Override
    void closeRegistry() {
        replicas.forEach(JdbcRemoteAttempts::close);
        if (database != null) {
            database.close();
        }
    }

    private JdbcRemoteAttempts replica(String node, boolean listening) {
        var replica = new JdbcRemoteAttempts(database, JSON, clock, settings, node, POLL, ABANDON_AFTER,
                WorkerObserver.NONE);
        replicas.add(replica);
        if (listening) {
            replica.start();
            await().atMost(SOON).until(replica::listening);
        }
        return replica;
    }

    private JdbcClient jdbc() {
        return JdbcClient.create(database);
    }

    @Test
    void anAttemptOfferedOnOneReplicaIsClaimedAndReportedOnAnother() throws Exception {
        JdbcRemoteAttempts replicaB = replica("node-b", true);
        WorkerSession worker = replicaB.register(ACME, null, names("download"), 8);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = replicaA.offer(offer, new CancellationSource());

        assertThat(replicaB.claim("acme", worker.id(), 8, Duration.ZERO)).extracting(HeldAttempt::offer)
            .containsExactly(offer);
        assertThat(replicaA.find("acme", worker.id()).orElseThrow().held()).extracting(HeldAttempt::id)
            .containsExactly(offer.attemptId());
        replicaB.report("acme", worker.id(), offer.attemptId(), new AttemptReport.Completed(JSON.readTree("[1, 2]")));

        assertThat(handle.awaitReport(SOON)).isEqualTo(new AttemptReport.Completed(JSON.readTree("[1, 2]")));
        handle.close();
        assertThat(replicaA.waitingByName()).isEmpty();
    }

    /**
     * Also measures, on loopback, the time from the engine's cancel on one replica to the
     * worker's listener on another: printed, never asserted.
     */
    @Test
    void aCancelOnOneReplicaReachesTheWorkersListenerOnAnother() throws Exception {
        JdbcRemoteAttempts replicaB = replica("node-b", true);
        WorkerSession worker = replicaB.register(ACME, null, names("download"), 8);
        Map<UUID, CompletableFuture<Long>> heardAt = new ConcurrentHashMap<>();
        replicaB.listen("acme", worker.id(), new WorkerListener() {
            @Override
            public void cancelled(CancelNotice notice) {
                heardAt.computeIfAbsent(notice.attemptId(), id -> new CompletableFuture<>())
                    .complete(System.nanoTime());
            }

            @Override
            public void lost() {
            }
        });
        int warmUp = 50;
        int rounds = 300;
        List<Long> micros = new ArrayList<>();
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < warmUp + rounds; i++) {
            RemoteOffer offer = offer(ACME, "download", "job-" + i);
            OfferedAttempt handle = replicaA.offer(offer, new CancellationSource());
            assertThat(replicaB.claim("acme", worker.id(), 8, Duration.ZERO)).hasSize(1);
            CompletableFuture<Long> heard = heardAt.computeIfAbsent(offer.attemptId(), id -> new CompletableFuture<>());

            // As the engine's cancelling thread does, from the moment it calls.
            long start = CompletableFuture.supplyAsync(() -> {
                long called = System.nanoTime();
                handle.cancel("BATCH_CANCELLED");
                return called;
            }).get();
            // The offering thread's own call waits for the cancel's write.
            assertThat(handle.cancel("BATCH_CANCELLED")).isTrue();
            long write = System.nanoTime();
            long end = heard.get(SOON.toSeconds(), TimeUnit.SECONDS);

            if (i >= warmUp) {
                micros.add((end - start) / 1000);
                written.add((write - start) / 1000);
            }
            replicaB.report("acme", worker.id(), offer.attemptId(),
                    new AttemptReport.Failed("CANCELLED", "stopped", null, null));
            assertThat(handle.awaitReport(SOON)).isNotNull();
            handle.close();
        }
        micros.sort(null);
        written.sort(null);
        System.out.printf(
                "Cross-replica cancel, engine's cancel on A → listener on B, %d rounds after %d: p50 %d µs, "
                        + "p99 %d µs, max %d µs (the cancel written on A: p50 %d µs, p99 %d µs)%n",
                rounds, warmUp, micros.get(rounds / 2), micros.get(rounds * 99 / 100 - 1), micros.getLast(),
                written.get(rounds / 2), written.get(rounds * 99 / 100 - 1));
    }

    /**
     * The token's callback may cancel under a batch's lock: it must return at once, even
     * while the database makes the cancel's write wait (here: another transaction holds
     * the attempt's row); the write follows, and the worker hears it.
     */
    @Test
    void aCancelFromTheTokensCallbackDoesNoBlockingIoOnItsThread() throws Exception {
        WorkerSession worker = replicaA.register(ACME, null, names("download"), 8);
        Heard heard = new Heard();
        replicaA.listen("acme", worker.id(), heard);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = replicaA.offer(offer, new CancellationSource());
        replicaA.claim("acme", worker.id(), 8, Duration.ZERO);

        try (var connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (var lock = connection
                .prepareStatement("SELECT 1 FROM remote_attempt WHERE attempt_id = ? FOR UPDATE")) {
                lock.setObject(1, offer.attemptId());
                lock.executeQuery().close();
            }
            assertThat(CompletableFuture.supplyAsync(() -> handle.cancel("BATCH_CANCELLED"))
                .get(SOON.toSeconds(), TimeUnit.SECONDS)).as("returned while the row is locked").isTrue();
            assertThat(heard.cancels).isEmpty();
            connection.rollback();
        }

        await().atMost(SOON).untilAsserted(() -> assertThat(heard.cancels).hasSize(1));
        assertThat(handle.cancel("BATCH_CANCELLED")).isTrue();
        handle.close();
    }

    @Test
    void aClaimWaitingOnOneReplicaIsWokenByAnOfferOnAnother() throws Exception {
        JdbcRemoteAttempts replicaB = replica("node-b", true);
        WorkerSession worker = replicaB.register(ACME, null, names("download"), 8);
        var claimer = new java.util.concurrent.atomic.AtomicReference<Thread>();
        CompletableFuture<List<HeldAttempt>> claim = CompletableFuture.supplyAsync(() -> {
            claimer.set(Thread.currentThread());
            try {
                return replicaB.claim("acme", worker.id(), 8, Duration.ofMinutes(5));
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(SOON)
            .until(() -> claimer.get() != null && claimer.get().getState() == Thread.State.TIMED_WAITING);
        RemoteOffer offer = offer(ACME, "download", "job-001");

        replicaA.offer(offer, new CancellationSource());

        assertThat(claim.get(SOON.toSeconds(), TimeUnit.SECONDS)).as("woken by the notice, not its poll a minute on")
            .extracting(HeldAttempt::id)
            .containsExactly(offer.attemptId());
    }

    @Test
    void theAttemptsOfAReplicaThatDiedAreClaimedByNoOneAndTheirWorkersStopThem() throws Exception {
        JdbcRemoteAttempts replicaB = replica("node-b", true);
        JdbcRemoteAttempts dying = replica("node-c", true);
        WorkerSession worker = replicaB.register(ACME, null, names("download"), 8);
        Heard heard = new Heard();
        replicaB.listen("acme", worker.id(), heard);
        RemoteOffer held = offer(ACME, "download", "held");
        dying.offer(held, new CancellationSource());
        assertThat(replicaB.claim("acme", worker.id(), 8, Duration.ZERO)).hasSize(1);
        dying.offer(offer(ACME, "download", "waiting"), new CancellationSource());

        jdbc().sql("UPDATE cluster_node SET expires_at = ? WHERE id = 'node-c'")
            .param(clock.instant().minusSeconds(1).atOffset(ZoneOffset.UTC))
            .update();

        assertThat(replicaB.claim("acme", worker.id(), 8, Duration.ZERO)).as("its owner is gone").isEmpty();
        replicaB.expireLapsedLeases();
        var told = new CancelNotice(held.attemptId(), held.batchId(), held.jobId(), "BATCH_CANCELLED", clock.instant());
        await().atMost(SOON).untilAsserted(() -> assertThat(heard.cancels).containsExactly(told));
        assertThat(replicaB.heartbeat("acme", worker.id(), Map.of(), null).cancelled()).containsExactly(told);
        assertThat(jdbc().sql("SELECT COUNT(*) FROM remote_attempt WHERE state = 'WAITING'").query(Long.class).single())
            .as("its offers are withdrawn")
            .isZero();

        clock.advance(ABANDON_AFTER.plusSeconds(1));
        replicaB.expireLapsedLeases();

        assertThat(
                replicaB.heartbeat("acme", worker.id(), Map.of(held.attemptId(), JSON.readTree("{}")), null).unknown())
            .as("forgotten once the worker had its grace")
            .containsExactly(held.attemptId());
        assertThatThrownBy(
                () -> replicaB.report("acme", worker.id(), held.attemptId(), new AttemptReport.Completed(null)))
            .isInstanceOf(AttemptNotHeldException.class);
    }

    @Test
    void thePollFindsWhatLostNoticesWouldHaveSaid() throws Exception {
        JdbcRemoteAttempts replicaB = replica("node-b", true);
        JdbcRemoteAttempts deaf = replica("node-p", false);
        WorkerSession worker = replicaB.register(ACME, null, names("download"), 8);
        Heard heard = new Heard();
        deaf.listen("acme", worker.id(), heard);

        RemoteOffer reported = offer(ACME, "download", "reported");
        OfferedAttempt handle = deaf.offer(reported, new CancellationSource());
        replicaB.claim("acme", worker.id(), 1, Duration.ZERO);
        replicaB.report("acme", worker.id(), reported.attemptId(), new AttemptReport.Completed(null));
        RemoteOffer cancelled = offer(ACME, "download", "cancelled");
        OfferedAttempt cancelledHandle = replicaA.offer(cancelled, new CancellationSource());
        replicaB.claim("acme", worker.id(), 1, Duration.ZERO);
        CompletableFuture.runAsync(() -> cancelledHandle.cancel("TIMEOUT")).get();
        assertThat(cancelledHandle.cancel("TIMEOUT")).isTrue();

        deaf.catchUp();

        assertThat(handle.awaitReport(Duration.ZERO)).isEqualTo(new AttemptReport.Completed(null));
        assertThat(heard.cancels).extracting(CancelNotice::attemptId).containsExactly(cancelled.attemptId());
        replicaB.remove("acme", worker.id());
        deaf.catchUp();
        assertThat(heard.lost).isTrue();
        handle.close();
        cancelledHandle.close();
    }

}
