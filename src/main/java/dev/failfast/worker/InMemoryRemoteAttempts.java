package dev.failfast.worker;

import dev.failfast.batch.Caller;
import dev.failfast.job.CancellationToken;
import dev.failfast.settings.FailfastProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The registry of a single instance, in memory: an attempt lives only as long as the
 * engine's thread that waits for it, so it needs no store (after a restart the engine
 * runs the job again, and the worker's report on the old attempt is refused).
 *
 * <p>
 * One lock guards everything; claims wait on one condition, signalled whenever an attempt
 * is offered or a worker's place frees. Listeners are called outside the lock.
 */
public final class InMemoryRemoteAttempts implements RemoteAttempts, AutoCloseable {

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition changed = lock.newCondition();

    private final Map<UUID, Worker> workers = new LinkedHashMap<>();

    /** Offers no worker has claimed, by tenant, then job type name, oldest first. */
    private final Map<String, Map<String, ArrayDeque<Entry>>> waiting = new HashMap<>();

    /** Every attempt offered and not closed, waiting or held. */
    private final Map<UUID, Entry> entries = new HashMap<>();

    private final Clock clock;

    private final FailfastProperties.Workers settings;

    private final WorkerObserver observer;

    private long nextSeq;

    private boolean closed;

    public InMemoryRemoteAttempts(Clock clock, FailfastProperties.Workers settings, WorkerObserver observer) {
        this.clock = clock;
        this.settings = settings;
        this.observer = observer;
    }

    @Override
    public OfferedAttempt offer(RemoteOffer offer, CancellationToken token) {
        lock.lock();
        try {
            Entry entry = new Entry(offer, token, nextSeq++, System.nanoTime());
            entries.put(offer.attemptId(), entry);
            waiting.computeIfAbsent(offer.tenant(), t -> new HashMap<>())
                .computeIfAbsent(offer.name(), n -> new ArrayDeque<>())
                .addLast(entry);
            changed.signalAll();
            return entry;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public WorkerSession register(Caller caller, @Nullable String name, SortedSet<String> names, int capacity) {
        lock.lock();
        try {
            long ofTenant = workers.values().stream().filter(w -> w.tenant.equals(caller.tenant())).count();
            if (ofTenant >= settings.maxWorkersPerTenant()) {
                throw new TooManyWorkersException(caller.tenant(), settings.maxWorkersPerTenant());
            }
            Instant now = clock.instant();
            Worker worker = new Worker(UUID.randomUUID(), caller, name, Collections.unmodifiableSortedSet(names),
                    capacity, now);
            worker.leaseExpiresAt = now.plus(settings.leaseTtl());
            workers.put(worker.id, worker);
            return worker.session();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<WorkerSession> find(String tenant, UUID id) {
        lock.lock();
        try {
            Worker worker = workers.get(id);
            return worker != null && worker.tenant.equals(tenant) ? Optional.of(worker.session()) : Optional.empty();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public List<WorkerSession> list(String tenant) {
        lock.lock();
        try {
            return workers.values().stream().filter(w -> w.tenant.equals(tenant)).map(Worker::session).toList();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void remove(String tenant, UUID id) {
        Worker worker;
        lock.lock();
        try {
            worker = live(tenant, id);
            lose(worker, "Worker " + id + " was stopped while it held the attempt");
        }
        finally {
            lock.unlock();
        }
        worker.tellLost();
    }

    @Override
    public List<HeldAttempt> claim(String tenant, UUID id, int max, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        // A waiting claim renews the lease a few times per lease, so a worker that only
        // claims is not lost while it waits.
        long renewEvery = settings.leaseTtl().toNanos() / 3;
        List<Entry> claimed;
        List<HeldAttempt> views;
        lock.lock();
        try {
            Worker worker = live(tenant, id);
            long mine = ++worker.claims; // a newer claim of the worker ends this one
            changed.signalAll();
            while (true) {
                renew(worker);
                int room = worker.draining ? 0 : Math.min(max, worker.capacity - worker.held.size());
                claimed = room > 0 ? takeWaiting(worker, room) : List.of();
                long left = deadline - System.nanoTime();
                if (!claimed.isEmpty() || left <= 0 || closed || worker.draining || worker.claims != mine) {
                    break;
                }
                changed.awaitNanos(Math.min(left, renewEvery));
                worker = live(tenant, id);
            }
            views = claimed.stream().map(Entry::view).toList();
        }
        finally {
            lock.unlock();
        }
        long now = System.nanoTime();
        for (Entry entry : claimed) {
            observer.claimed(entry.offer.name(), Duration.ofNanos(now - entry.offeredNanos));
        }
        return views;
    }

    /** Takes up to {@code room} of the oldest offers of the worker's tenant and names. */
    private List<Entry> takeWaiting(Worker worker, int room) {
        Map<String, ArrayDeque<Entry>> ofTenant = waiting.get(worker.tenant);
        if (ofTenant == null) {
            return List.of();
        }
        List<Entry> taken = new ArrayList<>();
        Instant now = clock.instant();
        while (taken.size() < room) {
            ArrayDeque<Entry> oldest = null;
            for (String name : worker.names) {
                ArrayDeque<Entry> queue = ofTenant.get(name);
                if (queue != null && !queue.isEmpty()
                        && (oldest == null || queue.peekFirst().seq < oldest.peekFirst().seq)) {
                    oldest = queue;
                }
            }
            if (oldest == null) {
                break;
            }
            Entry entry = oldest.removeFirst();
            if (entry.token.isCancelled()) {
                // Its cause is recorded and its withdrawal on the way: never hand it out.
                entry.done = true;
                entries.remove(entry.offer.attemptId());
                continue;
            }
            entry.worker = worker;
            entry.claimedAt = now;
            worker.held.add(entry);
            taken.add(entry);
        }
        pruneEmpty(worker.tenant, ofTenant);
        return taken;
    }

    /**
     * Under the lock: drops the tenant's empty queues, so the map holds only waiting
     * offers.
     */
    private void pruneEmpty(String tenant, Map<String, ArrayDeque<Entry>> ofTenant) {
        ofTenant.values().removeIf(ArrayDeque::isEmpty);
        if (ofTenant.isEmpty()) {
            waiting.remove(tenant);
        }
    }

    @Override
    public Heartbeat heartbeat(String tenant, UUID id, Map<UUID, JsonNode> progress, @Nullable Set<UUID> holding) {
        List<Entry> stopped = new ArrayList<>();
        lock.lock();
        try {
            Worker worker = live(tenant, id);
            renew(worker);
            Set<UUID> unknown = new LinkedHashSet<>();
            progress.forEach((attemptId, reported) -> {
                Entry entry = entries.get(attemptId);
                if (entry != null && worker.held.contains(entry)) {
                    entry.progress = reported;
                }
                else {
                    unknown.add(attemptId);
                }
            });
            if (holding != null) {
                for (UUID attemptId : holding) {
                    Entry entry = entries.get(attemptId);
                    if (entry == null || !worker.held.contains(entry)) {
                        unknown.add(attemptId);
                    }
                }
                stopped.addAll(takeBackUnknown(worker, holding));
            }
            return new Heartbeat(worker.leaseExpiresAt, worker.cancelled(), List.copyOf(unknown));
        }
        finally {
            lock.unlock();
            stopped.forEach(entry -> entry.report.complete(
                    new AttemptReport.Forgotten("The worker no longer knew of the attempt after it was cancelled")));
        }
    }

    /**
     * Under the lock: the attempts the worker holds but does not know of, claimed longer
     * than a lease ago (their claim answer was lost: no answer takes that long), are
     * offered again; those cancelled meanwhile are returned, to end as stopped.
     */
    private List<Entry> takeBackUnknown(Worker worker, Set<UUID> holding) {
        Instant before = clock.instant().minus(settings.leaseTtl());
        List<Entry> cancelled = new ArrayList<>();
        for (Entry entry : List.copyOf(worker.held)) {
            if (!holding.contains(entry.offer.attemptId()) && entry.claimedAt != null
                    && entry.claimedAt.isBefore(before)) {
                worker.held.remove(entry);
                if (entry.cancelReason != null) {
                    cancelled.add(entry);
                }
                else {
                    offerAgain(entry);
                }
                changed.signalAll();
            }
        }
        return cancelled;
    }

    /** Under the lock: a held attempt its worker gave back waits again, first in line. */
    private void offerAgain(Entry entry) {
        entry.worker = null;
        entry.claimedAt = null;
        entry.progress = null;
        waiting.computeIfAbsent(entry.offer.tenant(), t -> new HashMap<>())
            .computeIfAbsent(entry.offer.name(), n -> new ArrayDeque<>())
            .addFirst(entry);
    }

    @Override
    public void drain(String tenant, UUID id) {
        lock.lock();
        try {
            live(tenant, id).draining = true;
            changed.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void report(String tenant, UUID id, UUID attemptId, AttemptReport report) {
        Entry entry;
        lock.lock();
        try {
            Worker worker = live(tenant, id);
            renew(worker);
            entry = entries.get(attemptId);
            if (entry == null || !worker.held.remove(entry)) {
                throw new AttemptNotHeldException(id, attemptId);
            }
            changed.signalAll(); // a place of the worker freed
            if (RemoteAttempts.givesBack(report) && entry.cancelReason == null && entry.givenBack < MAX_GIVE_BACKS) {
                entry.givenBack++;
                offerAgain(entry);
                return;
            }
        }
        finally {
            lock.unlock();
        }
        entry.report.complete(report);
    }

    @Override
    public CancellationToken.Registration listen(String tenant, UUID id, WorkerListener listener) {
        List<CancelNotice> already;
        Worker worker;
        lock.lock();
        try {
            worker = live(tenant, id);
            worker.listeners.add(listener);
            already = worker.cancelled();
        }
        finally {
            lock.unlock();
        }
        already.forEach(listener::cancelled);
        return () -> worker.listeners.remove(listener);
    }

    @Override
    public int liveWorkers() {
        lock.lock();
        try {
            return workers.size();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Integer> waitingByName() {
        lock.lock();
        try {
            Map<String, Integer> counts = new TreeMap<>();
            waiting.values()
                .forEach(byName -> byName.forEach((name, queue) -> counts.merge(name, queue.size(), Integer::sum)));
            return counts;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Loses every worker whose lease has expired; the service calls it a few times per
     * lease.
     */
    public void expireLapsedLeases() {
        List<Worker> lost = new ArrayList<>();
        lock.lock();
        try {
            Instant now = clock.instant();
            for (Worker worker : List.copyOf(workers.values())) {
                if (worker.leaseExpiresAt.isBefore(now)) {
                    lose(worker, "Worker " + worker.id + " stopped heartbeating; its lease expired at "
                            + worker.leaseExpiresAt);
                    lost.add(worker);
                }
            }
        }
        finally {
            lock.unlock();
        }
        lost.forEach(Worker::tellLost);
    }

    /** Ends waiting claims at once: the service stops. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    private Worker live(String tenant, UUID id) {
        Worker worker = workers.get(id);
        if (worker == null || !worker.tenant.equals(tenant)) {
            throw new UnknownWorkerException(id);
        }
        return worker;
    }

    private void renew(Worker worker) {
        worker.leaseExpiresAt = clock.instant().plus(settings.leaseTtl());
    }

    /** Under the lock: forgets the worker, and ends each attempt it held. */
    private void lose(Worker worker, String why) {
        workers.remove(worker.id);
        for (Entry entry : worker.held) {
            entry.report.complete(new AttemptReport.Lost(why));
        }
        worker.held.clear();
        changed.signalAll(); // its waiting claims, if any, end with
                             // UnknownWorkerException
    }

    private static final class Worker {

        private final UUID id;

        private final String tenant;

        private final String principal;

        private final @Nullable String name;

        private final SortedSet<String> names;

        private final int capacity;

        private final Instant registeredAt;

        private Instant leaseExpiresAt;

        /** Claims nothing more: it is finishing what it holds before it stops. */
        private boolean draining;

        /** Claims it made: only its newest may wait. */
        private long claims;

        private final Set<Entry> held = new LinkedHashSet<>();

        private final List<WorkerListener> listeners = new CopyOnWriteArrayList<>();

        Worker(UUID id, Caller caller, @Nullable String name, SortedSet<String> names, int capacity,
                Instant registeredAt) {
            this.id = id;
            this.tenant = caller.tenant();
            this.principal = caller.principal();
            this.name = name;
            this.names = names;
            this.capacity = capacity;
            this.registeredAt = registeredAt;
            this.leaseExpiresAt = registeredAt;
        }

        WorkerSession session() {
            return new WorkerSession(id, tenant, principal, name, names, capacity, registeredAt, leaseExpiresAt,
                    held.stream().map(Entry::view).toList());
        }

        List<CancelNotice> cancelled() {
            List<CancelNotice> notices = new ArrayList<>();
            for (Entry entry : held) {
                CancelNotice notice = entry.view().cancelNotice();
                if (notice != null) {
                    notices.add(notice);
                }
            }
            return notices;
        }

        void tellLost() {
            listeners.forEach(WorkerListener::lost);
        }

    }

    /** One offered attempt; its fields change under the registry's lock. */
    private final class Entry implements OfferedAttempt {

        private final RemoteOffer offer;

        /** The attempt's token: cancelled, the offer is no longer wanted. */
        private final CancellationToken token;

        private final long seq;

        private final long offeredNanos;

        private final CompletableFuture<AttemptReport> report = new CompletableFuture<>();

        private @Nullable Worker worker;

        private @Nullable Instant claimedAt;

        private @Nullable JsonNode progress;

        private @Nullable String cancelReason;

        private @Nullable Instant cancelledAt;

        private boolean done;

        /** Times its workers gave it back. */
        private int givenBack;

        Entry(RemoteOffer offer, CancellationToken token, long seq, long offeredNanos) {
            this.offer = offer;
            this.token = token;
            this.seq = seq;
            this.offeredNanos = offeredNanos;
        }

        HeldAttempt view() {
            return new HeldAttempt(offer, claimedAt == null ? Instant.EPOCH : claimedAt, progress, cancelReason,
                    cancelledAt);
        }

        @Override
        public @Nullable AttemptReport awaitReport(Duration timeout) throws InterruptedException {
            return Reports.await(report, timeout);
        }

        @Override
        public boolean cancel(String reason) {
            Worker holder;
            CancelNotice notice;
            lock.lock();
            try {
                if (done || report.isDone()) {
                    return report.isDone();
                }
                if (worker == null) {
                    withdraw();
                    return false;
                }
                if (cancelReason != null) {
                    return true; // its worker was told already
                }
                cancelReason = reason;
                cancelledAt = clock.instant();
                holder = worker;
                notice = view().cancelNotice();
            }
            finally {
                lock.unlock();
            }
            if (notice != null) {
                for (WorkerListener listener : holder.listeners) {
                    listener.cancelled(notice);
                }
            }
            return true;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (done) {
                    return;
                }
                if (worker == null) {
                    withdraw();
                }
                else if (worker.held.remove(this)) {
                    changed.signalAll();
                }
                done = true;
                entries.remove(offer.attemptId());
            }
            finally {
                lock.unlock();
            }
        }

        /** Under the lock: takes the unclaimed offer back, so that no worker gets it. */
        private void withdraw() {
            Map<String, ArrayDeque<Entry>> ofTenant = waiting.get(offer.tenant());
            if (ofTenant != null) {
                ArrayDeque<Entry> queue = ofTenant.get(offer.name());
                if (queue != null) {
                    queue.remove(this);
                }
                pruneEmpty(offer.tenant(), ofTenant);
            }
            done = true;
            entries.remove(offer.attemptId());
        }

    }

}
