package dev.failfast.worker;

import dev.failfast.batch.Caller;
import dev.failfast.job.CancellationToken;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.PostgresListener;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The registry of a cluster, in PostgreSQL
 * (docs/cluster.md#remote-workers-in-cluster-mode): any replica serves any worker,
 * whichever replica's engine offered the attempt.
 *
 * <p>
 * Tables {@code remote_worker} (a session and its lease) and {@code remote_attempt} (an
 * offer, from the engine thread's offer until it closes it; {@code owner_node} is the
 * replica whose thread waits). Replicas tell each other what must happen at once with
 * {@code NOTIFY} on {@link #CHANNEL}, heard on a connection of this replica's own (a
 * {@link PostgresListener} of its own); {@link #catchUp()}, at the cluster's poll
 * interval, reads what a lost notice would have said. The notices, {@code |}-separated:
 * <ul>
 * <li>{@code o|<name>|<tenant>}: an offer; wakes the tenant's waiting claims;</li>
 * <li>{@code c|<worker>|<attempt>|<batch>|<reason>|<epoch µs>|<job id>}: a cancel of a
 * held attempt; the replica that holds the worker's stream tells its listeners, with
 * nothing to read;</li>
 * <li>{@code r|<attempt>|<worker>}: a held attempt was reported or lost; its owner reads
 * the report, and the worker's claims wake (a place freed);</li>
 * <li>{@code l|<worker>}: a worker was lost or stopped; its listeners hear it;</li>
 * <li>{@code f|<worker>}: the engine gave a held attempt up; the worker's claims
 * wake.</li>
 * </ul>
 *
 * <p>
 * A worker is live while its lease has not passed, by this replica's clock (a lapsed
 * worker cannot renew, even before a sweep has lost it). {@link #expireLapsedLeases()},
 * on every replica, loses lapsed workers and settles the attempts of replicas whose
 * {@code cluster_node} lease is gone: their offers are claimed by no one, and their held
 * attempts are cancelled to their workers, then forgotten after {@code abandonAfter}.
 *
 * <p>
 * The engine's side never does blocking I/O on a thread that cancels: a cancel from the
 * token's callback is handed to an executor of its own; a second cancel, from the thread
 * that offered, waits for it. The closing of an offer also runs there, so an interrupted
 * engine thread still gets it written.
 */
public final class JdbcRemoteAttempts implements RemoteAttempts, AutoCloseable {

    /** The channel of every notice of the registry. */
    public static final String CHANNEL = "failfast_workers";

    private static final Logger log = LoggerFactory.getLogger(JdbcRemoteAttempts.class);

    /**
     * A transaction-scoped lock of one tenant's registrations (a class id of its own,
     * apart from the claims' tenant locks).
     */
    private static final String LOCK_TENANT = "SELECT pg_advisory_xact_lock(1717986919, hashtext(?))";

    private static final String LIVE_OWNER = "EXISTS (SELECT 1 FROM cluster_node n WHERE n.id = %s.owner_node"
            + " AND n.expires_at > ?)";

    /** The cancel notice of the row {@code c} returned. */
    private static final String CANCEL_PAYLOAD = "'c|' || c.worker_id || '|' || c.attempt_id || '|' || c.batch_id"
            + " || '|' || c.cancel_reason || '|' || CAST(EXTRACT(EPOCH FROM c.cancelled_at) * 1000000 AS BIGINT)"
            + " || '|' || c.job_id";

    private static final String RENEW = """
            UPDATE remote_worker SET lease_expires_at = ?
            WHERE id = ? AND tenant = ? AND lease_expires_at > ?
            RETURNING capacity, names, lease_expires_at, draining""";

    private static final String CLAIM = """
            UPDATE remote_attempt a SET state = 'HELD', worker_id = ?, claimed_at = ?
            FROM (SELECT w.attempt_id FROM remote_attempt w
                  WHERE w.tenant = ? AND w.state = 'WAITING' AND w.name = ANY (CAST(? AS VARCHAR[]))
                    AND %s
                    -- No attempt is handed out once its batch's cause is recorded, though its
                    -- withdrawal may still be on its way.
                    AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = w.batch_id AND b.cause IS NOT NULL)
                  ORDER BY w.seq
                  LIMIT GREATEST(0, LEAST(?, ? - (SELECT COUNT(*) FROM remote_attempt h
                                                  WHERE h.worker_id = ? AND h.state = 'HELD')))
                  FOR UPDATE OF w SKIP LOCKED) picked
            WHERE a.attempt_id = picked.attempt_id
            RETURNING a.*""".formatted(LIVE_OWNER.formatted("w"));

    /**
     * Loses the workers {@code %1$s} selects, with message {@code %2$s}, in one
     * statement.
     */
    private static final String LOSE = """
            WITH lost AS (DELETE FROM remote_worker w WHERE %1$s RETURNING w.id, w.lease_expires_at),
            ended AS (UPDATE remote_attempt a
                      SET state = 'LOST', report = CAST(json_build_object('kind', 'lost', 'message', %2$s) AS VARCHAR)
                      FROM lost WHERE a.worker_id = lost.id AND a.state = 'HELD'
                      RETURNING a.attempt_id, a.worker_id)
            SELECT 'r' AS kind, pg_notify('%3$s', 'r|' || ended.attempt_id || '|' || ended.worker_id) FROM ended
            UNION ALL
            SELECT 'l', pg_notify('%3$s', 'l|' || lost.id) FROM lost""";

    private static final String LAPSED_MESSAGE = "'Worker ' || lost.id || ' stopped heartbeating; its lease expired at '"
            + " || to_char(lost.lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

    private static final String STOPPED_MESSAGE = "'Worker ' || lost.id || ' was stopped while it held the attempt'";

    private static final String HELD_COLUMNS = "attempt_id, batch_id, tenant, job_id, name, params, attempt, worker_id,"
            + " claimed_at, progress, cancel_reason, cancelled_at";

    private final JdbcClient client;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate tx;

    private final JsonMapper mapper;

    private final Clock clock;

    private final FailfastProperties.Workers settings;

    private final String node;

    private final Duration pollInterval;

    private final Duration abandonAfter;

    private final WorkerObserver observer;

    private final PostgresListener listener;

    /** Where cancels and closes of offers run, off the engine's threads. */
    private final ExecutorService io = Executors
        .newThreadPerTaskExecutor(Thread.ofVirtual().name("failfast-workers-io-", 0).factory());

    /** This replica's open offers. */
    private final Map<UUID, Offered> offered = new ConcurrentHashMap<>();

    /** The listeners of the workers whose streams this replica holds. */
    private final Map<UUID, List<Subscriber>> subscribers = new ConcurrentHashMap<>();

    private final Set<ClaimWaiter> waiters = ConcurrentHashMap.newKeySet();

    private volatile int liveWorkers;

    private volatile boolean closed;

    /**
     * @param node this replica's id (its {@code cluster_node} row): the owner of the
     * attempts its engine offers
     * @param pollInterval how often a waiting claim and {@link #catchUp()} look for what
     * a lost notice would have said; how soon a lost listening connection is opened again
     * @param abandonAfter how long the held attempts of a lost replica are kept after
     * their workers are told to stop them (the engine's cancel grace and a margin)
     */
    public JdbcRemoteAttempts(DataSource dataSource, JsonMapper mapper, Clock clock,
            FailfastProperties.Workers settings, String node, Duration pollInterval, Duration abandonAfter,
            WorkerObserver observer) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.client = JdbcClient.create(jdbc);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.mapper = mapper;
        this.clock = clock;
        this.settings = settings;
        this.node = node;
        this.pollInterval = pollInterval;
        this.abandonAfter = abandonAfter;
        this.observer = observer;
        this.listener = new PostgresListener(dataSource, pollInterval, "workers-listen", List.of(CHANNEL),
                this::onNotices);
    }

    /** Starts listening for the other replicas' notices. */
    public void start() {
        listener.start();
    }

    /** Whether the notice connection listens now. */
    public boolean listening() {
        return listener.listening();
    }

    /** Listening connections given up because they failed or stopped answering. */
    public long listenerReconnects() {
        return listener.reconnects();
    }

    // ---- the engine's side

    @Override
    public OfferedAttempt offer(RemoteOffer offer, CancellationToken token) {
        // The token is this replica's; the claim's own check of the batch's cause (in
        // CLAIM) covers the replicas a claim may come to.
        var handle = new Offered(offer, Thread.currentThread());
        offered.put(offer.attemptId(), handle);
        try {
            String params = mapper.writeValueAsString(offer.params());
            offThreadIfInterrupted(() -> client.sql("""
                    WITH i AS (INSERT INTO remote_attempt (attempt_id, batch_id, tenant, job_id, name, params, attempt,
                                   offered_at, owner_node, state)
                               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'WAITING') RETURNING name, tenant)
                    SELECT pg_notify(?, 'o|' || i.name || '|' || i.tenant) FROM i""")
                .params(offer.attemptId(), offer.batchId(), offer.tenant(), offer.jobId(), offer.name(), params,
                        offer.attempt(), utc(clock.instant()), node, CHANNEL)
                .query((rs, row) -> null)
                .list());
        }
        catch (RuntimeException e) {
            offered.remove(offer.attemptId());
            throw e;
        }
        wakeTenant(offer.tenant());
        return handle;
    }

    // ---- the workers' side

    @Override
    public WorkerSession register(Caller caller, @Nullable String name, SortedSet<String> names, int capacity) {
        WorkerSession session = tx.execute(status -> {
            client.sql(LOCK_TENANT).param(caller.tenant()).query((rs, row) -> null).list();
            Instant now = clock.instant();
            long live = client.sql("SELECT COUNT(*) FROM remote_worker WHERE tenant = ? AND lease_expires_at > ?")
                .params(caller.tenant(), utc(now))
                .query(Long.class)
                .single();
            if (live >= settings.maxWorkersPerTenant()) {
                throw new TooManyWorkersException(caller.tenant(), settings.maxWorkersPerTenant());
            }
            UUID id = UUID.randomUUID();
            Instant expires = now.plus(settings.leaseTtl());
            client.sql("""
                    INSERT INTO remote_worker (id, tenant, principal, name, names, capacity, registered_at,
                        lease_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(Arrays.asList(id, caller.tenant(), caller.principal(), name, String.join(",", names), capacity,
                        utc(now), utc(expires)))
                .update();
            return new WorkerSession(id, caller.tenant(), caller.principal(), name,
                    Collections.unmodifiableSortedSet(new TreeSet<>(names)), capacity, now, expires, List.of());
        });
        countLiveWorkers();
        return session;
    }

    @Override
    public Optional<WorkerSession> find(String tenant, UUID id) {
        return sessions("w.id = ? AND w.tenant = ?", id, tenant).stream().findFirst();
    }

    @Override
    public List<WorkerSession> list(String tenant) {
        return sessions("w.tenant = ?", tenant);
    }

    private List<WorkerSession> sessions(String where, Object... params) {
        List<Object> all = new ArrayList<>(List.of(params));
        all.add(utc(clock.instant()));
        Map<UUID, WorkerRow> rows = new LinkedHashMap<>();
        client
            .sql("SELECT * FROM remote_worker w WHERE " + where
                    + " AND w.lease_expires_at > ? ORDER BY w.registered_at, w.id")
            .params(all)
            .query(this::workerRow)
            .list()
            .forEach(row -> rows.put(row.id, row));
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<UUID, List<HeldAttempt>> held = new LinkedHashMap<>();
        client
            .sql("SELECT " + HELD_COLUMNS
                    + " FROM remote_attempt WHERE worker_id = ANY (CAST(? AS UUID[])) AND state = 'HELD'"
                    + " ORDER BY claimed_at, seq")
            .param(uuidArray(rows.keySet()))
            .query((rs, n) -> Map.entry(rs.getObject("worker_id", UUID.class), held(rs)))
            .list()
            .forEach(e -> held.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return rows.values().stream().map(row -> row.session(held.getOrDefault(row.id, List.of()))).toList();
    }

    @Override
    public void remove(String tenant, UUID id) {
        List<String> kinds = client.sql(LOSE.formatted("w.id = ? AND w.tenant = ?", STOPPED_MESSAGE, CHANNEL))
            .params(id, tenant)
            .query((rs, row) -> rs.getString("kind"))
            .list();
        if (!kinds.contains("l")) {
            throw new UnknownWorkerException(id);
        }
        countLiveWorkers();
    }

    @Override
    public List<HeldAttempt> claim(String tenant, UUID id, int max, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        var waiter = new ClaimWaiter(tenant, id);
        for (ClaimWaiter earlier : waiters) {
            if (earlier.worker.equals(id)) {
                earlier.superseded = true; // only a worker's newest claim waits
                earlier.wake();
            }
        }
        waiters.add(waiter);
        try {
            while (true) {
                waiter.wakes.drainPermits();
                List<HeldAttempt> claimed = claimOnce(tenant, id, max);
                long left = deadline - System.nanoTime();
                if (!claimed.isEmpty() || left <= 0 || closed || waiter.drained || waiter.superseded) {
                    return claimed;
                }
                waiter.wakes.tryAcquire(Math.min(left, pollInterval.toNanos()), TimeUnit.NANOSECONDS);
            }
        }
        finally {
            waiters.remove(waiter);
        }
    }

    /**
     * One transaction: renews the worker's lease, which locks its row (so its claims take
     * turns, and each counts what the one before took), then takes the oldest waiting
     * offers of its tenant and names, up to its free capacity, skipping those another
     * claim is taking.
     */
    private List<HeldAttempt> claimOnce(String tenant, UUID id, int max) {
        List<ClaimedRow> claimed = tx.execute(status -> {
            Instant now = clock.instant();
            WorkerLease lease = renew(tenant, id, now);
            if (lease.draining) {
                return List.<ClaimedRow>of();
            }
            return client.sql(CLAIM)
                .params(id, utc(now), tenant, lease.names.toArray(String[]::new), utc(now), max, lease.capacity, id)
                .query((rs, row) -> Map.entry(rs.getLong("seq"), claimed(rs)))
                .list()
                .stream()
                .sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .toList();
        });
        for (ClaimedRow attempt : claimed) {
            observer.claimed(attempt.offer().name(), Duration.between(attempt.offeredAt(), attempt.claimedAt()));
        }
        return claimed.stream().map(ClaimedRow::view).toList();
    }

    @Override
    public Heartbeat heartbeat(String tenant, UUID id, Map<UUID, JsonNode> progress, @Nullable Set<UUID> holding) {
        return tx.execute(status -> {
            Instant now = clock.instant();
            WorkerLease lease = renew(tenant, id, now);
            Set<UUID> unknown = new LinkedHashSet<>();
            if (!progress.isEmpty()) {
                List<Map.Entry<UUID, JsonNode>> entries = List.copyOf(progress.entrySet());
                List<Object[]> args = entries.stream()
                    .map(e -> new Object[] { mapper.writeValueAsString(e.getValue()), e.getKey(), id })
                    .toList();
                int[] updated = jdbc.batchUpdate("UPDATE remote_attempt SET progress = ?"
                        + " WHERE attempt_id = ? AND worker_id = ? AND state = 'HELD'", args);
                for (int i = 0; i < updated.length; i++) {
                    if (updated[i] == 0) {
                        unknown.add(entries.get(i).getKey());
                    }
                }
            }
            if (holding != null) {
                Set<UUID> held = new HashSet<>(
                        client.sql("SELECT attempt_id FROM remote_attempt WHERE worker_id = ? AND state = 'HELD'")
                            .param(id)
                            .query(UUID.class)
                            .list());
                holding.stream().filter(attemptId -> !held.contains(attemptId)).forEach(unknown::add);
                takeBackUnknown(id, holding, now.minus(settings.leaseTtl()));
            }
            return new Heartbeat(lease.expiresAt, cancelledOf(List.of(id)), List.copyOf(unknown));
        });
    }

    /**
     * The worker's attempts it does not know of, claimed before {@code before}, a lease
     * ago (their claim answer was lost: no answer takes that long): offered again, oldest
     * first as before, or, when cancelled meanwhile, ended as stopped; both told by
     * notice.
     */
    private void takeBackUnknown(UUID id, Set<UUID> holding, Instant before) {
        String[] known = uuidArray(holding);
        client.sql("""
                WITH back AS (UPDATE remote_attempt SET state = 'WAITING', worker_id = NULL, claimed_at = NULL,
                                  progress = NULL
                              WHERE worker_id = ? AND state = 'HELD' AND cancel_reason IS NULL AND claimed_at < ?
                                AND NOT (attempt_id = ANY (CAST(? AS UUID[])))
                              RETURNING name, tenant),
                stopped AS (UPDATE remote_attempt
                            SET state = 'LOST', report = CAST(json_build_object('kind', 'forgotten', 'message',
                                'The worker no longer knew of the attempt after it was cancelled') AS VARCHAR)
                            WHERE worker_id = ? AND state = 'HELD' AND cancel_reason IS NOT NULL AND claimed_at < ?
                              AND NOT (attempt_id = ANY (CAST(? AS UUID[])))
                            RETURNING attempt_id, worker_id)
                SELECT pg_notify(?, 'o|' || back.name || '|' || back.tenant) FROM back
                UNION ALL
                SELECT pg_notify(?, 'r|' || stopped.attempt_id || '|' || stopped.worker_id) FROM stopped""")
            .params(id, utc(before), known, id, utc(before), known, CHANNEL, CHANNEL)
            .query((rs, row) -> null)
            .list();
    }

    @Override
    public void drain(String tenant, UUID id) {
        int updated = client.sql("""
                WITH d AS (UPDATE remote_worker SET draining = TRUE
                           WHERE id = ? AND tenant = ? AND lease_expires_at > ? RETURNING id)
                SELECT pg_notify(?, 'd|' || d.id) FROM d""")
            .params(id, tenant, utc(clock.instant()), CHANNEL)
            .query((rs, row) -> null)
            .list()
            .size();
        if (updated == 0) {
            throw new UnknownWorkerException(id);
        }
        drained(id);
    }

    /** Ends the worker's waiting claims on this replica. */
    private void drained(UUID worker) {
        for (ClaimWaiter waiter : waiters) {
            if (waiter.worker.equals(worker)) {
                waiter.drained = true;
                waiter.wake();
            }
        }
    }

    @Override
    public void report(String tenant, UUID id, UUID attemptId, AttemptReport report) {
        String json = mapper.writeValueAsString(reportJson(report));
        Boolean held = tx.execute(status -> {
            renew(tenant, id, clock.instant());
            if (RemoteAttempts.givesBack(report) && !client.sql("""
                    WITH back AS (UPDATE remote_attempt SET state = 'WAITING', worker_id = NULL, claimed_at = NULL,
                                      progress = NULL, given_back = given_back + 1
                                  WHERE attempt_id = ? AND worker_id = ? AND state = 'HELD' AND cancel_reason IS NULL
                                    AND given_back < ?
                                  RETURNING name, tenant)
                    SELECT pg_notify(?, 'o|' || back.name || '|' || back.tenant) FROM back""")
                .params(attemptId, id, MAX_GIVE_BACKS, CHANNEL)
                .query((rs, row) -> null)
                .list()
                .isEmpty()) {
                return true; // given back: offered again
            }
            return !client.sql("""
                    WITH r AS (UPDATE remote_attempt SET state = 'REPORTED', report = ?
                               WHERE attempt_id = ? AND worker_id = ? AND state = 'HELD'
                               RETURNING attempt_id, worker_id)
                    SELECT pg_notify(?, 'r|' || r.attempt_id || '|' || r.worker_id) FROM r""")
                .params(json, attemptId, id, CHANNEL)
                .query((rs, row) -> null)
                .list()
                .isEmpty();
        });
        if (!Boolean.TRUE.equals(held)) {
            throw new AttemptNotHeldException(id, attemptId);
        }
    }

    @Override
    public CancellationToken.Registration listen(String tenant, UUID id, WorkerListener workerListener) {
        var subscriber = new Subscriber(workerListener);
        subscribers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(subscriber);
        CancellationToken.Registration registration = () -> unsubscribe(id, subscriber);
        try {
            if (find(tenant, id).isEmpty()) {
                throw new UnknownWorkerException(id);
            }
            cancelledOf(List.of(id)).forEach(subscriber::cancelled);
        }
        catch (RuntimeException e) {
            registration.close();
            throw e;
        }
        return registration;
    }

    private void unsubscribe(UUID id, Subscriber subscriber) {
        subscribers.computeIfPresent(id, (k, list) -> {
            list.remove(subscriber);
            return list.isEmpty() ? null : list;
        });
    }

    /** Live workers over the cluster, as counted at the last sweep (or registration). */
    @Override
    public int liveWorkers() {
        return liveWorkers;
    }

    /** Attempts this replica offered that wait for a worker, by job type name. */
    @Override
    public Map<String, Integer> waitingByName() {
        Map<String, Integer> counts = new TreeMap<>();
        client
            .sql("SELECT name, COUNT(*) AS waiting FROM remote_attempt WHERE owner_node = ? AND state = 'WAITING'"
                    + " GROUP BY name")
            .param(node)
            .query((rs, row) -> Map.entry(rs.getString("name"), rs.getInt("waiting")))
            .list()
            .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    // ---- periodic duties

    /**
     * Loses every lapsed worker (its held attempts end {@link AttemptReport.Lost}, its
     * listeners hear it wherever they are), and settles the attempts of replicas whose
     * lease is gone; every replica calls it a few times per lease.
     */
    public void expireLapsedLeases() {
        Instant now = clock.instant();
        client.sql(LOSE.formatted("w.lease_expires_at <= ?", LAPSED_MESSAGE, CHANNEL))
            .param(utc(now))
            .query((rs, row) -> null)
            .list();
        // A lost replica's offers, reports and losses, and its held attempts whose
        // workers
        // were told long enough ago: nobody waits for them.
        client
            .sql("DELETE FROM remote_attempt a WHERE NOT " + LIVE_OWNER.formatted("a")
                    + " AND (a.state <> 'HELD' OR a.cancelled_at < ?)")
            .params(utc(now), utc(now.minus(abandonAfter)))
            .update();
        // Its held attempts: their workers are told to stop them.
        client
            .sql("WITH c AS (UPDATE remote_attempt a SET cancel_reason = 'BATCH_CANCELLED', cancelled_at = ?"
                    + " WHERE a.state = 'HELD' AND a.cancel_reason IS NULL AND NOT " + LIVE_OWNER.formatted("a")
                    + " RETURNING a.*) SELECT pg_notify(?, " + CANCEL_PAYLOAD + ") FROM c")
            .params(utc(now), utc(now), CHANNEL)
            .query((rs, row) -> null)
            .list();
        countLiveWorkers();
    }

    /**
     * Reads what lost notices would have said: reports of this replica's offers, cancels
     * and losses of the workers whose streams it holds. Called every cluster poll
     * interval.
     */
    public void catchUp() {
        // Rows of this replica's offers whose handler is gone (a delete that failed at
        // its
        // close): a worker must not run a job nobody waits for. An offer is in the map
        // before its row is written, so no row of a live offer is taken.
        client.sql("DELETE FROM remote_attempt WHERE owner_node = ? AND NOT (attempt_id = ANY (CAST(? AS UUID[])))")
            .params(node, uuidArray(offered.keySet()))
            .update();
        List<UUID> waiting = offered.values()
            .stream()
            .filter(o -> !o.report.isDone())
            .map(o -> o.offer.attemptId())
            .toList();
        if (!waiting.isEmpty()) {
            client
                .sql("SELECT attempt_id, state, report FROM remote_attempt"
                        + " WHERE attempt_id = ANY (CAST(? AS UUID[])) AND state IN ('REPORTED', 'LOST')")
                .param(uuidArray(waiting))
                .query((rs, row) -> {
                    completeFrom(rs);
                    return null;
                })
                .list();
        }
        List<UUID> watched = List.copyOf(subscribers.keySet());
        if (!watched.isEmpty()) {
            Set<UUID> live = new HashSet<>(client.sql("SELECT id FROM remote_worker WHERE id = ANY (CAST(? AS UUID[]))")
                .param(uuidArray(watched))
                .query((rs, row) -> rs.getObject("id", UUID.class))
                .list());
            for (UUID id : watched) {
                if (!live.contains(id)) {
                    workerLost(id);
                }
            }
            for (WorkerCancel notice : cancelledOfWorkers(live)) {
                tellCancelled(notice.workerId, notice.notice);
            }
        }
    }

    /** Ends waiting claims at once, and stops listening: the service stops. */
    @Override
    public void close() {
        closed = true;
        waiters.forEach(ClaimWaiter::wake);
        listener.stop();
        io.shutdown();
    }

    // ---- notices

    /** Each notice on its own: one that cannot be read does not keep the others back. */
    private void onNotices(List<PostgresListener.Notice> notices) {
        for (PostgresListener.Notice notice : notices) {
            try {
                onNotice(notice.payload());
            }
            catch (RuntimeException e) {
                log.warn("A remote worker notice could not be handled", e);
            }
        }
    }

    private void onNotice(String payload) {
        if (payload.length() < 2 || payload.charAt(1) != '|') {
            return;
        }
        String[] parts;
        switch (payload.charAt(0)) {
            case 'o' -> {
                parts = payload.split("\\|", 3);
                if (parts.length == 3) {
                    wakeTenant(parts[2]);
                }
            }
            case 'c' -> {
                parts = payload.split("\\|", 7);
                if (parts.length == 7) {
                    UUID worker = UUID.fromString(parts[1]);
                    Instant at = Instant.EPOCH.plus(Long.parseLong(parts[5]), ChronoUnit.MICROS);
                    tellCancelled(worker, new CancelNotice(UUID.fromString(parts[2]), UUID.fromString(parts[3]),
                            parts[6], parts[4], at));
                }
            }
            case 'r' -> {
                parts = payload.split("\\|", 3);
                if (parts.length == 3) {
                    Offered handle = offered.get(UUID.fromString(parts[1]));
                    if (handle != null && !handle.report.isDone()) {
                        runOffThread(() -> readReport(handle));
                    }
                    wakeWorker(UUID.fromString(parts[2]));
                }
            }
            case 'l' -> {
                UUID worker = UUID.fromString(payload.substring(2));
                workerLost(worker);
                wakeWorker(worker);
            }
            case 'f' -> wakeWorker(UUID.fromString(payload.substring(2)));
            case 'd' -> drained(UUID.fromString(payload.substring(2)));
            default -> log.debug("Unknown remote worker notice kind {}", payload.charAt(0));
        }
    }

    private void tellCancelled(UUID worker, CancelNotice notice) {
        List<Subscriber> listening = subscribers.get(worker);
        if (listening != null) {
            listening.forEach(subscriber -> subscriber.cancelled(notice));
        }
    }

    private void workerLost(UUID worker) {
        List<Subscriber> listening = subscribers.remove(worker);
        if (listening != null) {
            listening.forEach(Subscriber::lost);
        }
    }

    private void wakeTenant(String tenant) {
        for (ClaimWaiter waiter : waiters) {
            if (waiter.tenant.equals(tenant)) {
                waiter.wake();
            }
        }
    }

    private void wakeWorker(UUID worker) {
        for (ClaimWaiter waiter : waiters) {
            if (waiter.worker.equals(worker)) {
                waiter.wake();
            }
        }
    }

    private void readReport(Offered handle) {
        try {
            client
                .sql("SELECT attempt_id, state, report FROM remote_attempt WHERE attempt_id = ?"
                        + " AND state IN ('REPORTED', 'LOST')")
                .param(handle.offer.attemptId())
                .query((rs, row) -> {
                    completeFrom(rs);
                    return null;
                })
                .list();
        }
        catch (RuntimeException e) {
            log.warn("Reading the report of remote attempt {} failed; the poll reads it again",
                    handle.offer.attemptId(), e);
        }
    }

    private void completeFrom(ResultSet rs) throws SQLException {
        Offered handle = offered.get(rs.getObject("attempt_id", UUID.class));
        String report = rs.getString("report");
        if (handle != null && report != null) {
            handle.report.complete(parseReport(report));
        }
    }

    // ---- rows

    /** Renews a live worker's lease, locking its row until the transaction ends. */
    private WorkerLease renew(String tenant, UUID id, Instant now) {
        return client.sql(RENEW)
            .params(utc(now.plus(settings.leaseTtl())), id, tenant, utc(now))
            .query((rs, row) -> new WorkerLease(rs.getInt("capacity"), names(rs.getString("names")),
                    instant(rs, "lease_expires_at"), rs.getBoolean("draining")))
            .optional()
            .orElseThrow(() -> new UnknownWorkerException(id));
    }

    private List<CancelNotice> cancelledOf(List<UUID> workers) {
        return cancelledOfWorkers(workers).stream().map(c -> c.notice).toList();
    }

    private List<WorkerCancel> cancelledOfWorkers(Collection<UUID> workers) {
        if (workers.isEmpty()) {
            return List.of();
        }
        return client
            .sql("SELECT worker_id, attempt_id, batch_id, job_id, cancel_reason, cancelled_at"
                    + " FROM remote_attempt WHERE worker_id = ANY (CAST(? AS UUID[])) AND state = 'HELD'"
                    + " AND cancel_reason IS NOT NULL ORDER BY claimed_at, seq")
            .param(uuidArray(workers))
            .query((rs, row) -> new WorkerCancel(rs.getObject("worker_id", UUID.class),
                    new CancelNotice(rs.getObject("attempt_id", UUID.class), rs.getObject("batch_id", UUID.class),
                            rs.getString("job_id"), rs.getString("cancel_reason"), instant(rs, "cancelled_at"))))
            .list();
    }

    private WorkerRow workerRow(ResultSet rs, int row) throws SQLException {
        return new WorkerRow(rs.getObject("id", UUID.class), rs.getString("tenant"), rs.getString("principal"),
                rs.getString("name"), names(rs.getString("names")), rs.getInt("capacity"), instant(rs, "registered_at"),
                instant(rs, "lease_expires_at"));
    }

    private HeldAttempt held(ResultSet rs) throws SQLException {
        var offer = new RemoteOffer(rs.getObject("attempt_id", UUID.class), rs.getObject("batch_id", UUID.class),
                rs.getString("tenant"), rs.getString("job_id"), rs.getString("name"),
                (ObjectNode) mapper.readTree(rs.getString("params")), rs.getInt("attempt"));
        String progress = rs.getString("progress");
        return new HeldAttempt(offer, instant(rs, "claimed_at"), progress == null ? null : mapper.readTree(progress),
                rs.getString("cancel_reason"), instantOrNull(rs, "cancelled_at"));
    }

    private ClaimedRow claimed(ResultSet rs) throws SQLException {
        return new ClaimedRow(held(rs), instant(rs, "offered_at"));
    }

    private ObjectNode reportJson(AttemptReport report) {
        ObjectNode json = mapper.createObjectNode();
        switch (report) {
            case AttemptReport.Completed(JsonNode result) -> {
                json.put("kind", "completed");
                if (result != null) {
                    json.set("result", result);
                }
            }
            case AttemptReport.Failed(String type, String message, Integer status, Duration retryAfter) -> {
                json.put("kind", "failed");
                json.put("errorType", type);
                json.put("message", message);
                if (status != null) {
                    json.put("status", status);
                }
                if (retryAfter != null) {
                    json.put("retryAfter", retryAfter.toString());
                }
            }
            case AttemptReport.Lost(String message) -> {
                json.put("kind", "lost");
                json.put("message", message);
            }
            case AttemptReport.Forgotten(String message) -> {
                json.put("kind", "forgotten");
                json.put("message", message);
            }
        }
        return json;
    }

    private AttemptReport parseReport(String text) {
        JsonNode json = mapper.readTree(text);
        return switch (json.path("kind").asString()) {
            case "completed" -> {
                JsonNode result = json.get("result");
                yield new AttemptReport.Completed(result == null || result.isNull() ? null : result);
            }
            case "failed" -> new AttemptReport.Failed(json.path("errorType").asString(),
                    json.path("message").asString(), json.hasNonNull("status") ? json.get("status").asInt() : null,
                    json.hasNonNull("retryAfter") ? Duration.parse(json.get("retryAfter").asString()) : null);
            case "forgotten" -> new AttemptReport.Forgotten(json.path("message").asString());
            default -> new AttemptReport.Lost(json.path("message").asString());
        };
    }

    private void countLiveWorkers() {
        try {
            liveWorkers = client.sql("SELECT COUNT(*) FROM remote_worker WHERE lease_expires_at > ?")
                .param(utc(clock.instant()))
                .query(Integer.class)
                .single();
        }
        catch (RuntimeException e) {
            log.debug("Counting live workers failed; the next sweep counts them", e);
        }
    }

    private static SortedSet<String> names(String joined) {
        SortedSet<String> names = new TreeSet<>();
        for (String name : joined.split(",", -1)) {
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return Collections.unmodifiableSortedSet(names);
    }

    private static String[] uuidArray(Collection<UUID> ids) {
        return ids.stream().map(UUID::toString).toArray(String[]::new);
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Instant value = instantOrNull(rs, column);
        if (value == null) {
            throw new SQLException("Column " + column + " is null");
        }
        return value;
    }

    private static @Nullable Instant instantOrNull(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /**
     * Runs {@code work} here, or on the registry's executor (waiting for it, deaf to
     * interrupts) when this thread is interrupted: a pool would refuse an interrupted
     * thread a connection.
     */
    private <T> T offThreadIfInterrupted(Supplier<T> work) {
        return Thread.currentThread().isInterrupted() ? offThread(work) : work.get();
    }

    /**
     * Runs {@code work} on the registry's executor and waits for it, deaf to interrupts;
     * here once the registry is closed (the service stops).
     */
    private <T> T offThread(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, io).join();
        }
        catch (RejectedExecutionException e) {
            return work.get();
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /**
     * Hands {@code task} to the registry's executor; runs it here once the registry is
     * closed (the service stops).
     */
    private void runOffThread(Runnable task) {
        try {
            io.execute(task);
        }
        catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private record WorkerLease(int capacity, SortedSet<String> names, Instant expiresAt, boolean draining) {
    }

    private record WorkerCancel(UUID workerId, CancelNotice notice) {
    }

    private record ClaimedRow(HeldAttempt view, Instant offeredAt) {

        RemoteOffer offer() {
            return view.offer();
        }

        Instant claimedAt() {
            return view.claimedAt();
        }

    }

    private record WorkerRow(UUID id, String tenant, String principal, @Nullable String name, SortedSet<String> names,
            int capacity, Instant registeredAt, Instant leaseExpiresAt) {

        WorkerSession session(List<HeldAttempt> held) {
            return new WorkerSession(id, tenant, principal, name, names, capacity, registeredAt, leaseExpiresAt, held);
        }

    }

    /** A claim waiting for an offer of its tenant, or a place of its worker to free. */
    private static final class ClaimWaiter {

        private final String tenant;

        private final UUID worker;

        private final Semaphore wakes = new Semaphore(0);

        /** The worker was drained: the claim answers now. */
        private volatile boolean drained;

        /** The worker claimed again: this claim answers now. */
        private volatile boolean superseded;

        ClaimWaiter(String tenant, UUID worker) {
            this.tenant = tenant;
            this.worker = worker;
        }

        void wake() {
            wakes.release();
        }

    }

    /**
     * One listener of a worker on this replica; tells it each cancel once, however many
     * ways the cancel arrives (notice, poll, the re-sending of a new subscription).
     */
    private static final class Subscriber {

        private final WorkerListener listener;

        private final Set<UUID> told = ConcurrentHashMap.newKeySet();

        private volatile boolean lost;

        Subscriber(WorkerListener listener) {
            this.listener = listener;
        }

        void cancelled(CancelNotice notice) {
            if (!lost && told.add(notice.attemptId())) {
                listener.cancelled(notice);
            }
        }

        void lost() {
            if (!lost) {
                lost = true;
                listener.lost();
            }
        }

    }

    /** One attempt this replica's engine offered. */
    private final class Offered implements OfferedAttempt {

        private final RemoteOffer offer;

        /** The engine's thread that waits for it. */
        private final Thread handler;

        private final CompletableFuture<AttemptReport> report = new CompletableFuture<>();

        private final AtomicReference<@Nullable CompletableFuture<Boolean>> cancelling = new AtomicReference<>();

        private volatile boolean closedHere;

        Offered(RemoteOffer offer, Thread handler) {
            this.offer = offer;
            this.handler = handler;
        }

        @Override
        public @Nullable AttemptReport awaitReport(Duration timeout) throws InterruptedException {
            return Reports.await(report, timeout);
        }

        /**
         * Off the calling thread: the first call hands the cancel to the registry's
         * executor and, unless it is the engine's thread that offered, returns at once
         * (true: the answer is not known yet). The offering thread waits for the cancel's
         * write and gets the answer.
         */
        @Override
        public boolean cancel(String reason) {
            if (report.isDone()) {
                return true;
            }
            CompletableFuture<Boolean> running = cancelling.get();
            if (running == null) {
                Instant requestedAt = clock.instant();
                var started = new CompletableFuture<Boolean>();
                if (cancelling.compareAndSet(null, started)) {
                    runOffThread(() -> {
                        try {
                            started.complete(cancelInDatabase(reason, requestedAt));
                        }
                        catch (RuntimeException e) {
                            log.warn("Cancelling remote attempt {} failed; its worker learns of it when the engine"
                                    + " gives the attempt up", offer.attemptId(), e);
                            started.complete(true);
                        }
                    });
                }
                running = cancelling.get();
            }
            if (running == null) {
                return true;
            }
            if (Thread.currentThread() == handler || running.isDone()) {
                return running.join();
            }
            return true;
        }

        /**
         * One statement: withdraws the offer if no worker claimed it (it becomes
         * {@code WITHDRAWN}, which nothing claims), else marks it cancelled and tells its
         * worker's replica. A claim taking the row at this moment holds its lock: the
         * update waits for it and then applies to the claimed row, so the cancel reaches
         * the worker that got it.
         *
         * <p>
         * Its commit does not wait for the WAL to reach the disk
         * ({@code synchronous_commit} off for this transaction alone): the notice goes
         * out at commit, without the flush in its way. A database crash in the instant
         * after may forget the mark (not the batch's cause, written by the engine): the
         * worker then learns nothing more, and the engine gives the attempt up after the
         * grace period, as for a worker that ignores a cancel.
         */
        private boolean cancelInDatabase(String reason, Instant requestedAt) {
            List<String> states = client
                .sql("""
                        WITH s AS (SELECT set_config('synchronous_commit', 'off', TRUE) AS async),
                        c AS (UPDATE remote_attempt a
                                   SET state = CASE WHEN a.state = 'WAITING' THEN 'WITHDRAWN' ELSE a.state END,
                                       cancel_reason = COALESCE(a.cancel_reason, ?),
                                       cancelled_at = COALESCE(a.cancelled_at, ?)
                                   WHERE a.attempt_id = ? AND a.state IN ('WAITING', 'HELD')
                                   RETURNING a.*)
                        SELECT c.state, CASE WHEN c.state = 'HELD' THEN pg_notify(?, %s) END FROM c CROSS JOIN s"""
                    .formatted(CANCEL_PAYLOAD))
                .params(reason, utc(requestedAt), offer.attemptId(), CHANNEL)
                .query((rs, row) -> rs.getString("state"))
                .list();
            return !states.equals(List.of("WITHDRAWN"));
        }

        @Override
        public void close() {
            if (closedHere) {
                return;
            }
            closedHere = true;
            offered.remove(offer.attemptId());
            CompletableFuture<Boolean> running = cancelling.get();
            try {
                offThread(() -> {
                    if (running != null) {
                        running.join();
                    }
                    return client
                        .sql("WITH d AS (DELETE FROM remote_attempt WHERE attempt_id = ?"
                                + " RETURNING worker_id, state) SELECT pg_notify(?, 'f|' || d.worker_id) FROM d"
                                + " WHERE d.state = 'HELD'")
                        .params(offer.attemptId(), CHANNEL)
                        .query((rs, row) -> null)
                        .list();
                });
            }
            catch (RuntimeException e) {
                log.warn("Closing remote attempt {} failed; its row stays until this replica is gone",
                        offer.attemptId(), e);
            }
        }

    }

}
