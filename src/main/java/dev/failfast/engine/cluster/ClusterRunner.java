package dev.failfast.engine.cluster;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.BatchRunner;
import dev.failfast.engine.Deferrals;
import dev.failfast.engine.PendingJobs;
import dev.failfast.engine.PollingThread;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.NodeLease;
import dev.failfast.store.RunningCaps;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingDeque;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.TaskScheduler;

/**
 * The runner of a replica in cluster mode ({@code failfast.cluster.enabled}, PostgreSQL
 * only): every replica on the database runs every batch, whichever replica accepted it,
 * and the database is the source of truth.
 *
 * <ul>
 * <li>Jobs are claimed in small groups ({@link ClaimLoop}), within each batch's
 * {@code maxParallelism} over all replicas and taking turns across batches; their
 * attempts run here ({@link HeldAttempts}) and their outcomes are written in groups
 * ({@link OutcomeWriter}).
 * <li>A cause is recorded once, under the batch row's lock, which also skips its pending
 * jobs ({@link CauseRecorder}); {@code NOTIFY} tells every replica at once
 * ({@link CauseListener}).
 * <li>Every {@code failfast.cluster.poll-interval} the {@link ClusterPoll} catches missed
 * notices, settles the jobs of replicas whose lease expired, puts back lost claims, fires
 * deadlines and refreshes the cluster-wide gauges.
 * </ul>
 *
 * <p>
 * On stop the replica claims no more jobs, lets its running jobs finish for the drain
 * timeout, then records cause {@code SHUTDOWN} on the batches it still runs jobs of (as a
 * single instance does), waits for them, and leaves the cluster. Other batches go on
 * running on the other replicas.
 */
public final class ClusterRunner implements BatchRunner {

    private static final Logger log = LoggerFactory.getLogger(ClusterRunner.class);

    private final ClusterStore cluster;

    private final NodeLease lease;

    private final FailfastProperties properties;

    private final Clock clock;

    /**
     * This replica's changes, to the listeners that count this replica's work (metrics,
     * logs).
     */
    private final BatchEvents events;

    private final Object eventOrder = new Object();

    private final WorkerThreads threads;

    private final HeldBatches held = new HeldBatches();

    private final HeldAttempts attempts;

    private final OutcomeWriter writer;

    private final ClaimLoop claims;

    private final CauseRecorder causes;

    private final CauseListener listener;

    private final RefreshTotals totals;

    private final ClusterPoll poll;

    private final PendingJobs pending;

    private @Nullable Thread claimer;

    private @Nullable Thread outcomeWriter;

    private @Nullable Thread poller;

    public ClusterRunner(FailfastProperties properties, ClusterStore cluster, NodeLease lease, BatchEvents events,
            AttemptRunner runner, DataSource dataSource, TaskExecutor executor, TaskScheduler scheduler, Clock clock) {
        this.cluster = cluster;
        this.lease = lease;
        this.properties = properties;
        this.clock = clock;
        this.events = events;
        var settings = properties.cluster();
        var timers = new AttemptTimers(scheduler, clock, properties.engine().cancelGrace());
        var settlements = new LinkedBlockingDeque<Settlement>();
        this.threads = new WorkerThreads(properties.executor().poolSize(), properties.executor().maxAbandoned());
        this.attempts = new HeldAttempts(cluster, runner, executor, timers, clock, threads, held, settlements,
                settings.pollInterval());
        this.writer = new OutcomeWriter(lease.node(), cluster, clock, settlements, attempts, held, threads,
                this::committed, settings.pollInterval(), Deferrals.of(properties));
        this.claims = new ClaimLoop(lease.node(), cluster, clock, settings.claimSize(), runningCaps(properties),
                settings.pollInterval(), threads, held, attempts, this::committed);
        this.causes = new CauseRecorder(cluster, attempts, this::committed);
        this.listener = new CauseListener(dataSource, settings.pollInterval(), attempts::causeRecorded, threads::wake);
        this.totals = new RefreshTotals(cluster, threads);
        this.poll = new ClusterPoll(clock,
                List.of(new CatchUpCauses(cluster, held, attempts),
                        new SettleLostReplicas(cluster, properties.recovery().mode(), this::committed),
                        new PutBackLostClaims(lease.node(), cluster, held, this::committed),
                        new FireDeadlines(cluster, causes), totals));
        this.pending = new ClusterPendingJobs(cluster, totals);
    }

    /**
     * Each tenant's {@code max-running-jobs}, over the cluster: the named tenants' (their
     * override, else the default), and the default for every other tenant.
     */
    static RunningCaps runningCaps(FailfastProperties properties) {
        var tenants = properties.tenants();
        long global = properties.limits().maxPendingJobs();
        Map<String, Integer> byTenant = new HashMap<>();
        for (String tenant : tenants.overrides().keySet()) {
            byTenant.put(tenant, capOf(tenants.of(tenant, global).maxRunningJobs()));
        }
        return new RunningCaps(byTenant, capOf(tenants.defaults().maxRunningJobs()));
    }

    private static int capOf(@Nullable Integer maxRunningJobs) {
        return maxRunningJobs == null ? RunningCaps.NONE : maxRunningJobs;
    }

    /** Nothing to hold: the stored batch is all the replicas need. */
    @Override
    public void register(Batch batch, List<Job> jobs, List<Object> parsedParams) {
    }

    /** Any replica may claim its jobs; their params are parsed again at each attempt. */
    @Override
    public void run(UUID batchId) {
        cluster.announceWork();
        threads.wake();
    }

    @Override
    public void discard(UUID batchId) {
    }

    /**
     * In one transaction holding the batch's row lock, so that of two redrives of the
     * same run only one is stored: the jobs PENDING again, the claim cursor moved back to
     * the first of them, and idle replicas told. Any replica claims them.
     */
    @Override
    public void redrive(Batch from, Batch next, List<Job> jobs, List<Job> redriven) {
        UUID id = from.id();
        var result = cluster.change(id, locked -> {
            Batch stored = locked.batch();
            if (stored.run() != from.run() || !stored.state().isTerminal()) {
                throw new BatchStateConflictException(id, stored.state(),
                        "it was redriven meanwhile: run " + stored.run() + " was queued");
            }
            locked.redrive(redriven);
            locked.save(next);
            return new BatchTransaction.Result(next, redriven, stored.state(), false);
        }).orElseThrow(() -> new BatchNotFoundException(id));
        committed(result);
        threads.wake();
    }

    @Override
    public Optional<CauseRecorded> recordCause(UUID batchId, CancellationCause cause) {
        return causes.record(batchId, cause).map(result -> new CauseRecorded(result.batch(), result.causeRecorded()));
    }

    /**
     * The database is the truth: a terminal batch's jobs are settled wherever they ran.
     */
    @Override
    public boolean isRunning(UUID batchId) {
        return false;
    }

    /** Over the whole cluster. */
    @Override
    public PendingJobs pendingJobs() {
        return pending;
    }

    /** Over the whole cluster, as of the last poll. */
    @Override
    public int activeBatches() {
        return totals.totals().batches();
    }

    /**
     * Jobs this replica claimed and has not settled yet, including those waiting out a
     * retry backoff.
     */
    @Override
    public int attemptsInFlight() {
        return held.jobs();
    }

    @Override
    public int abandonedThreads() {
        return threads.abandonedThreads();
    }

    @Override
    public long listenerReconnects() {
        return listener.reconnects();
    }

    /**
     * Serialised: the claimer, the writer and request threads all report changes, of the
     * same batches too.
     */
    private void committed(BatchTransaction.Result result) {
        synchronized (eventOrder) {
            events.changed(result.batch(), result.changedJobs(), result.previousState());
        }
    }

    /**
     * Joins the cluster: registers this replica's lease, listens for causes, starts
     * claiming.
     * @throws dev.failfast.store.InstanceLeaseHeldException when a single instance uses
     * the database
     */
    @Override
    public void start() {
        lease.acquire();
        listener.start();
        attempts.starting();
        writer.starting();
        claims.startClaiming();
        claimer = Thread.ofPlatform().name("failfast-claim").daemon().start(claims::run);
        outcomeWriter = Thread.ofPlatform().name("failfast-settle").daemon().start(writer::run);
        Duration interval = properties.cluster().pollInterval();
        poller = PollingThread.start("failfast-cluster-poll", interval, poll);
        log.info("Cluster node {} started: claiming up to {} jobs at a time, polling every {}", lease.node(),
                properties.cluster().claimSize(), interval);
    }

    @Override
    public void stop(Duration drainTimeout) {
        claims.stopClaiming();
        attempts.leave(held.all());
        try {
            if (!held.awaitNone(drainTimeout)) {
                log.info("Drain timeout: {} jobs still running here; their batches are cancelled", held.jobs());
                for (UUID batchId : held.ids()) {
                    causes.record(batchId,
                            CancellationCause.of(CauseType.SHUTDOWN,
                                    "The replica " + lease.node() + " running jobs of the batch is shutting down", null,
                                    clock.instant()));
                }
                if (!held.awaitNone(properties.engine().cancelGrace().plusSeconds(2))) {
                    log.warn("{} jobs still held at shutdown; the other replicas settle them when this lease expires",
                            held.jobs());
                }
            }
            claims.stop();
            writer.stop();
            for (Thread thread : new Thread[] { claimer, outcomeWriter }) {
                if (thread != null) {
                    thread.join(Duration.ofSeconds(10));
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finally {
            if (poller != null) {
                poller.interrupt();
            }
            listener.stop();
            if (held.jobs() == 0) {
                lease.release();
            }
        }
    }

}
