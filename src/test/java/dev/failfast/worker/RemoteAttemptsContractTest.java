package dev.failfast.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.failfast.batch.Caller;
import dev.failfast.engine.CancellationSource;
import dev.failfast.job.CancellationToken;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.testing.SettableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every {@link RemoteAttempts} does, the in-memory registry of a single instance and
 * the cluster's in PostgreSQL alike. Listeners may be told on another thread (in the
 * cluster, by a notice), so what they hear is awaited.
 */
abstract class RemoteAttemptsContractTest {

    static final Duration LEASE = Duration.ofSeconds(15);

    static final int MAX_WORKERS_PER_TENANT = 3;

    static final Duration SOON = Duration.ofSeconds(10);

    static final Caller ACME = new Caller("acme", "key:acme-worker", false);

    static final Caller GLOBEX = new Caller("globex", "key:globex-worker", false);

    static final JsonMapper JSON = JsonMapper.builder().build();

    final SettableClock clock = new SettableClock();

    final FailfastProperties.Workers settings = new FailfastProperties.Workers(LEASE, Duration.ofSeconds(5),
            Duration.ofSeconds(30), 256, MAX_WORKERS_PER_TENANT, DataSize.ofKilobytes(4));

    RemoteAttempts attempts;

    /** A registry of the settings and clock above. */
    abstract RemoteAttempts newRegistry();

    /** Runs the registry's lease sweep once. */
    abstract void expireLapsedLeases();

    abstract void closeRegistry();

    @BeforeEach
    void setUpRegistry() {
        attempts = newRegistry();
    }

    @AfterEach
    void tearDownRegistry() {
        closeRegistry();
    }

    @Test
    void anOfferClaimedAndReportedCompletesTheWaitingHandle() throws Exception {
        WorkerSession worker = attempts.register(ACME, "dl-host-1", names("download"), 2);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());

        List<HeldAttempt> claimed = attempts.claim("acme", worker.id(), 8, Duration.ZERO);

        assertThat(claimed).singleElement().satisfies(held -> {
            assertThat(held.offer()).isEqualTo(offer);
            assertThat(held.claimedAt()).isEqualTo(clock.instant());
            assertThat(held.cancelNotice()).isNull();
        });
        assertThat(attempts.find("acme", worker.id()).orElseThrow().held()).extracting(HeldAttempt::id)
            .containsExactly(offer.attemptId());
        attempts.report("acme", worker.id(), offer.attemptId(),
                new AttemptReport.Completed(JSON.readTree("{\"files\": 3}")));
        assertThat(handle.awaitReport(SOON)).isEqualTo(new AttemptReport.Completed(JSON.readTree("{\"files\": 3}")));
        handle.close();

        RemoteOffer second = offer(ACME, "download", "job-002");
        OfferedAttempt failing = attempts.offer(second, new CancellationSource());
        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).hasSize(1);
        var failed = new AttemptReport.Failed("S3_ERROR", "no such key", 404, Duration.ofSeconds(5));
        attempts.report("acme", worker.id(), second.attemptId(), failed);
        assertThat(failing.awaitReport(SOON)).isEqualTo(failed);
        failing.close();
        assertThat(attempts.find("acme", worker.id()).orElseThrow().held()).isEmpty();
    }

    @Test
    void claimsAreBoundedByTheWorkersFreeCapacityAndByMax() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 3);
        List<RemoteOffer> offers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RemoteOffer offer = offer(ACME, "download", "job-" + i);
            offers.add(offer);
            attempts.offer(offer, new CancellationSource());
        }

        assertThat(attempts.claim("acme", worker.id(), 2, Duration.ZERO)).hasSize(2);
        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).as("one place left").hasSize(1);
        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).as("full").isEmpty();

        attempts.report("acme", worker.id(), offers.get(0).attemptId(), new AttemptReport.Completed(null));
        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).extracting(HeldAttempt::id)
            .containsExactly(offers.get(3).attemptId());
    }

    @Test
    void theOldestOfferIsClaimedFirstWhateverItsName() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download", "upload"), 8);
        RemoteOffer first = offer(ACME, "upload", "a");
        RemoteOffer second = offer(ACME, "download", "b");
        RemoteOffer third = offer(ACME, "upload", "c");
        attempts.offer(first, new CancellationSource());
        attempts.offer(second, new CancellationSource());
        attempts.offer(third, new CancellationSource());

        assertThat(attempts.claim("acme", worker.id(), 1, Duration.ZERO)).extracting(HeldAttempt::id)
            .containsExactly(first.attemptId());
        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).extracting(HeldAttempt::id)
            .containsExactly(second.attemptId(), third.attemptId());
    }

    @Test
    void aWorkerClaimsOnlyItsTenantsOffersOfTheNamesItServes() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        RemoteOffer mine = offer(ACME, "download", "mine");
        attempts.offer(offer(ACME, "upload", "another-name"), new CancellationSource());
        attempts.offer(offer(GLOBEX, "download", "another-tenant"), new CancellationSource());
        attempts.offer(mine, new CancellationSource());

        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).extracting(HeldAttempt::id)
            .containsExactly(mine.attemptId());
        assertThatThrownBy(() -> attempts.claim("globex", worker.id(), 8, Duration.ZERO))
            .as("another tenant's worker does not exist")
            .isInstanceOf(UnknownWorkerException.class);
        assertThatThrownBy(() -> attempts.heartbeat("globex", worker.id(), Map.of(), null))
            .isInstanceOf(UnknownWorkerException.class);
        assertThat(attempts.find("globex", worker.id())).isEmpty();
        assertThat(attempts.list("globex")).isEmpty();
        assertThat(attempts.list("acme")).extracting(WorkerSession::id).containsExactly(worker.id());
    }

    @Test
    void aWaitingClaimIsWokenByAnOffer() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        AtomicReference<Thread> claimer = new AtomicReference<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<List<HeldAttempt>> claim = CompletableFuture.supplyAsync(() -> {
                claimer.set(Thread.currentThread());
                try {
                    return attempts.claim("acme", worker.id(), 8, Duration.ofMinutes(5));
                }
                catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, pool);
            await().atMost(SOON)
                .until(() -> claimer.get() != null && claimer.get().getState() == Thread.State.TIMED_WAITING);
            RemoteOffer offer = offer(ACME, "download", "job-001");
            attempts.offer(offer, new CancellationSource());

            assertThat(claim.get(SOON.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .as("woken long before its five minutes")
                .extracting(HeldAttempt::id)
                .containsExactly(offer.attemptId());
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCancelledOfferNoWorkerClaimedIsWithdrawn() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        OfferedAttempt handle = attempts.offer(offer(ACME, "download", "job-001"), new CancellationSource());

        // The token's callback cancels on another thread; the handler's own call says
        // whether a worker had it.
        CompletableFuture.runAsync(() -> handle.cancel("BATCH_CANCELLED")).get();
        assertThat(handle.cancel("BATCH_CANCELLED")).isFalse();

        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).isEmpty();
        assertThat(attempts.waitingByName()).isEmpty();
        handle.close();
    }

    @Test
    void aCancelOfAHeldAttemptReachesItsWorkersListenerAndHeartbeat() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        Heard heard = new Heard();
        attempts.listen("acme", worker.id(), heard);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());
        attempts.claim("acme", worker.id(), 8, Duration.ZERO);

        CompletableFuture.runAsync(() -> handle.cancel("TIMEOUT")).get();

        var expected = new CancelNotice(offer.attemptId(), offer.batchId(), offer.jobId(), "TIMEOUT", clock.instant());
        await().atMost(SOON).untilAsserted(() -> assertThat(heard.cancels).containsExactly(expected));
        assertThat(handle.cancel("TIMEOUT")).as("a worker has it: its report is worth waiting for").isTrue();
        Heartbeat beat = attempts.heartbeat("acme", worker.id(), Map.of(), null);
        assertThat(beat.cancelled()).containsExactly(expected);
        assertThat(beat.leaseExpiresAt()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(attempts.find("acme", worker.id()).orElseThrow().held()).singleElement()
            .satisfies(held -> assertThat(held.cancelNotice()).isEqualTo(expected));

        var stopped = new AttemptReport.Failed("CANCELLED", "stopped", null, null);
        attempts.report("acme", worker.id(), offer.attemptId(), stopped);
        assertThat(handle.awaitReport(SOON)).as("a report after a cancel is accepted").isEqualTo(stopped);
        handle.close();
    }

    @Test
    void aListenerThatSubscribesAgainIsToldOfEveryCancelAgain() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        Heard first = new Heard();
        CancellationToken.Registration stream = attempts.listen("acme", worker.id(), first);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());
        attempts.claim("acme", worker.id(), 8, Duration.ZERO);
        CompletableFuture.runAsync(() -> handle.cancel("BATCH_CANCELLED")).get();
        await().atMost(SOON).untilAsserted(() -> assertThat(first.cancels).hasSize(1));
        stream.close();

        Heard reconnected = new Heard();
        attempts.listen("acme", worker.id(), reconnected);

        await().atMost(SOON)
            .untilAsserted(() -> assertThat(reconnected.cancels).extracting(CancelNotice::attemptId)
                .containsExactly(offer.attemptId()));
        handle.close();
    }

    @Test
    void aWorkerWhoseLeaseLapsesIsLostWithWhatItHeld() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        WorkerSession renewing = attempts.register(ACME, null, names("upload"), 8);
        Heard heard = new Heard();
        attempts.listen("acme", worker.id(), heard);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());
        attempts.claim("acme", worker.id(), 8, Duration.ZERO);

        clock.advance(LEASE.minusSeconds(1));
        attempts.heartbeat("acme", renewing.id(), Map.of(), null);
        clock.advance(Duration.ofSeconds(2));
        expireLapsedLeases();

        assertThat(handle.awaitReport(SOON)).isInstanceOfSatisfying(AttemptReport.Lost.class,
                lost -> assertThat(lost.message()).contains(worker.id().toString()).contains("lease expired"));
        await().atMost(SOON).untilAsserted(() -> assertThat(heard.lost).isTrue());
        assertThat(attempts.find("acme", worker.id())).isEmpty();
        assertThat(attempts.find("acme", renewing.id())).as("renewed in time").isPresent();
        assertThatThrownBy(
                () -> attempts.report("acme", worker.id(), offer.attemptId(), new AttemptReport.Completed(null)))
            .isInstanceOf(UnknownWorkerException.class);
        assertThatThrownBy(() -> attempts.heartbeat("acme", worker.id(), Map.of(), null))
            .isInstanceOf(UnknownWorkerException.class);
        handle.close();
    }

    @Test
    void aReportAfterTheEngineClosedTheAttemptIsRefused() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 1);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());
        attempts.claim("acme", worker.id(), 8, Duration.ZERO);

        handle.close();

        assertThatThrownBy(
                () -> attempts.report("acme", worker.id(), offer.attemptId(), new AttemptReport.Completed(null)))
            .isInstanceOf(AttemptNotHeldException.class);
        assertThatThrownBy(
                () -> attempts.report("acme", worker.id(), UUID.randomUUID(), new AttemptReport.Completed(null)))
            .isInstanceOf(AttemptNotHeldException.class);
        RemoteOffer next = offer(ACME, "download", "job-002");
        attempts.offer(next, new CancellationSource());
        assertThat(attempts.claim("acme", worker.id(), 8, Duration.ZERO)).as("its place freed")
            .extracting(HeldAttempt::id)
            .containsExactly(next.attemptId());
    }

    @Test
    void aReportIsTakenOnce() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 1);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());
        attempts.claim("acme", worker.id(), 8, Duration.ZERO);
        attempts.report("acme", worker.id(), offer.attemptId(), new AttemptReport.Completed(null));

        assertThatThrownBy(
                () -> attempts.report("acme", worker.id(), offer.attemptId(), new AttemptReport.Completed(null)))
            .isInstanceOf(AttemptNotHeldException.class);
        assertThat(handle.awaitReport(SOON)).isEqualTo(new AttemptReport.Completed(null));
        handle.close();
    }

    @Test
    void aStoppedWorkerLosesWhatItHeld() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        Heard heard = new Heard();
        attempts.listen("acme", worker.id(), heard);
        OfferedAttempt handle = attempts.offer(offer(ACME, "download", "job-001"), new CancellationSource());
        attempts.claim("acme", worker.id(), 8, Duration.ZERO);

        assertThatThrownBy(() -> attempts.remove("globex", worker.id())).isInstanceOf(UnknownWorkerException.class);
        attempts.remove("acme", worker.id());

        assertThat(handle.awaitReport(SOON)).isInstanceOfSatisfying(AttemptReport.Lost.class,
                lost -> assertThat(lost.message()).contains("stopped"));
        await().atMost(SOON).untilAsserted(() -> assertThat(heard.lost).isTrue());
        assertThat(attempts.find("acme", worker.id())).isEmpty();
        assertThatThrownBy(() -> attempts.remove("acme", worker.id())).isInstanceOf(UnknownWorkerException.class);
        assertThatThrownBy(() -> attempts.listen("acme", worker.id(), new Heard()))
            .isInstanceOf(UnknownWorkerException.class);
        handle.close();
    }

    @Test
    void heartbeatsRecordProgressAndNameWhatTheWorkerNoLongerHolds() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 8);
        RemoteOffer offer = offer(ACME, "download", "job-001");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());
        attempts.claim("acme", worker.id(), 8, Duration.ZERO);
        UUID gone = UUID.randomUUID();

        Heartbeat beat = attempts.heartbeat("acme", worker.id(),
                Map.of(offer.attemptId(), JSON.readTree("{\"done\": 0.5}"), gone, JSON.readTree("1")), null);

        assertThat(beat.unknown()).containsExactly(gone);
        assertThat(beat.cancelled()).isEmpty();
        assertThat(attempts.find("acme", worker.id()).orElseThrow().held()).singleElement()
            .satisfies(held -> assertThat(held.progress()).isEqualTo(JSON.readTree("{\"done\": 0.5}")));
        handle.close();
    }

    @Test
    void aTenantHasAtMostItsLimitOfWorkersEvenWhenTheyRegisterAtOnce() throws Exception {
        int tries = 12;
        AtomicInteger registered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(tries);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < tries; i++) {
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                        attempts.register(ACME, null, names("download"), 1);
                        registered.incrementAndGet();
                    }
                    catch (TooManyWorkersException e) {
                        refused.incrementAndGet();
                    }
                    catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            start.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        }
        finally {
            pool.shutdownNow();
        }

        assertThat(registered).hasValue(MAX_WORKERS_PER_TENANT);
        assertThat(refused).hasValue(tries - MAX_WORKERS_PER_TENANT);
        assertThat(attempts.list("acme")).hasSize(MAX_WORKERS_PER_TENANT);
        assertThat(attempts.register(GLOBEX, null, names("download"), 1)).as("another tenant's own limit").isNotNull();
        attempts.remove("acme", attempts.list("acme").getFirst().id());
        assertThat(attempts.register(ACME, null, names("download"), 1)).as("a place freed").isNotNull();
    }

    @Test
    void aDrainedWorkersWaitingClaimAnswersAndItClaimsNothingMore() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 2);
        var waiting = claimInBackground(worker);
        await().atMost(SOON).untilAsserted(() -> {
            attempts.drain("acme", worker.id());
            assertThat(waiting).isCompleted();
        });
        assertThat(waiting.get()).isEmpty();
        attempts.offer(offer(ACME, "download", "a"), new CancellationSource());
        assertThat(attempts.claim("acme", worker.id(), 2, Duration.ZERO)).isEmpty();
        assertThatThrownBy(() -> attempts.drain("globex", worker.id())).isInstanceOf(UnknownWorkerException.class);
    }

    @Test
    void anAttemptTheWorkerDoesNotKnowItHoldsIsOfferedAgainALeaseAfterItsClaim() throws Exception {
        WorkerSession forgetful = attempts.register(ACME, null, names("download"), 2);
        RemoteOffer lost = offer(ACME, "download", "a");
        RemoteOffer cancelled = offer(ACME, "download", "b");
        attempts.offer(lost, new CancellationSource());
        OfferedAttempt cancelledHandle = attempts.offer(cancelled, new CancellationSource());
        assertThat(attempts.claim("acme", forgetful.id(), 2, Duration.ZERO)).hasSize(2);
        assertThat(cancelledHandle.cancel("BATCH_CANCELLED")).isTrue();

        Heartbeat soon = attempts.heartbeat("acme", forgetful.id(), Map.of(), Set.of());
        assertThat(attempts.find("acme", forgetful.id()).orElseThrow().held()).as("claimed just now: kept").hasSize(2);
        assertThat(soon.unknown()).isEmpty();
        clock.advance(settings.leaseTtl().dividedBy(2));
        attempts.heartbeat("acme", forgetful.id(), Map.of(), null); // keeps the lease
        clock.advance(settings.leaseTtl().dividedBy(2).plusSeconds(1));
        UUID stranger = UUID.randomUUID();
        Heartbeat later = attempts.heartbeat("acme", forgetful.id(), Map.of(), Set.of(stranger));

        assertThat(later.unknown()).containsExactly(stranger);
        assertThat(attempts.find("acme", forgetful.id()).orElseThrow().held()).isEmpty();
        assertThat(cancelledHandle.awaitReport(SOON)).isInstanceOf(AttemptReport.Forgotten.class);
        WorkerSession other = attempts.register(ACME, null, names("download"), 2);
        assertThat(attempts.claim("acme", other.id(), 2, Duration.ZERO)).extracting(HeldAttempt::id)
            .containsExactly(lost.attemptId());
    }

    @Test
    void aWorkersNewerClaimEndsItsWaitingOne() throws Exception {
        WorkerSession worker = attempts.register(ACME, null, names("download"), 2);
        var first = claimInBackground(worker);
        await().atMost(SOON).untilAsserted(() -> {
            assertThat(attempts.claim("acme", worker.id(), 2, Duration.ZERO)).isEmpty();
            assertThat(first).isCompleted();
        });
        assertThat(first.get()).isEmpty();
    }

    @Test
    void aCancelledReportOnAnAttemptTheServiceDidNotCancelGivesItBack() throws Exception {
        WorkerSession stopping = attempts.register(ACME, null, names("download"), 1);
        RemoteOffer offer = offer(ACME, "download", "a");
        OfferedAttempt handle = attempts.offer(offer, new CancellationSource());
        assertThat(attempts.claim("acme", stopping.id(), 1, Duration.ZERO)).hasSize(1);

        attempts.report("acme", stopping.id(), offer.attemptId(),
                new AttemptReport.Failed(RemoteAttempts.GIVEN_BACK, "the worker stops", null, null));

        assertThat(handle.awaitReport(Duration.ZERO)).as("no outcome: it waits again").isNull();
        WorkerSession other = attempts.register(ACME, null, names("download"), 1);
        assertThat(attempts.claim("acme", other.id(), 1, Duration.ZERO)).extracting(HeldAttempt::id)
            .containsExactly(offer.attemptId());
        for (int i = 1; i < RemoteAttempts.MAX_GIVE_BACKS; i++) {
            attempts.report("acme", other.id(), offer.attemptId(),
                    new AttemptReport.Failed(RemoteAttempts.GIVEN_BACK, "stops again", null, null));
            assertThat(attempts.claim("acme", other.id(), 1, Duration.ZERO)).hasSize(1);
        }
        var last = new AttemptReport.Failed(RemoteAttempts.GIVEN_BACK, "and again", null, null);
        attempts.report("acme", other.id(), offer.attemptId(), last);
        assertThat(handle.awaitReport(SOON)).as("given back too often: a failure").isEqualTo(last);
    }

    /** A claim of up to 2 attempts that waits up to 30 s, on another thread. */
    private CompletableFuture<List<HeldAttempt>> claimInBackground(WorkerSession worker) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return attempts.claim("acme", worker.id(), 2, Duration.ofSeconds(30));
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static SortedSet<String> names(String... names) {
        return new TreeSet<>(List.of(names));
    }

    static RemoteOffer offer(Caller tenant, String name, String jobId) {
        ObjectNode params = JSON.createObjectNode().put("key", "s3://bucket/" + jobId);
        return new RemoteOffer(UUID.randomUUID(), UUID.randomUUID(), tenant.tenant(), jobId, name, params, 1);
    }

    /** What a worker's stream hears. */
    static final class Heard implements WorkerListener {

        final List<CancelNotice> cancels = new CopyOnWriteArrayList<>();

        volatile boolean lost;

        @Override
        public void cancelled(CancelNotice notice) {
            cancels.add(notice);
        }

        @Override
        public void lost() {
            lost = true;
        }

    }

}
