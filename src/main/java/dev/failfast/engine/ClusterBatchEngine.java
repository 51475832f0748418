package dev.failfast.engine;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.config.FailfastProperties;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.BatchStore;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.IdempotencyKey;
import dev.failfast.store.NodeLease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.TaskExecutor;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine of a replica in cluster mode ({@code failfast.cluster.enabled}, PostgreSQL only):
 * every replica on the database runs every batch, whichever replica accepted it, and the database
 * is the source of truth. Any replica answers any request with the current state.
 *
 * <ul>
 *   <li>Jobs are claimed in small groups ({@link ClusterWorker}), within each batch's
 *       {@code maxParallelism} over all replicas and taking turns across batches.
 *   <li>A cause is recorded once, under the batch row's lock, which also skips its pending jobs;
 *       {@code NOTIFY} tells every replica at once ({@link CauseListener}), and a poll every
 *       {@code failfast.cluster.poll-interval} catches a missed notice.
 *   <li>Each replica renews a lease ({@link NodeLease}); every poll, the survivors settle the jobs
 *       of a replica whose lease expired, by {@code failfast.recovery.mode}. The same poll fires
 *       the deadlines that have passed, whichever replica accepted the batch.
 * </ul>
 *
 * <p>On shutdown the replica stops accepting batches and claiming jobs, lets its running jobs
 * finish for the drain timeout, then records cause {@code SHUTDOWN} on the batches it still runs
 * jobs of (as a single instance does), waits for them, and leaves the cluster. Other batches go on
 * running on the other replicas.
 */
@Service
@ConditionalOnProperty(name = "failfast.cluster.enabled", havingValue = "true")
public class ClusterBatchEngine implements BatchEngine, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterBatchEngine.class);

    private final BatchStore store;
    private final ClusterStore cluster;
    private final NodeLease lease;
    private final BatchValidator validator;
    private final ClusterWorker worker;
    private final CauseListener causes;
    /** This replica's changes, to the listeners that count this replica's work (metrics, logs). */
    private final BatchEvents events;
    private final Object eventOrder = new Object();
    private final Clock clock;
    private final FailfastProperties properties;
    private final ApplicationEventPublisher applicationEvents;
    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
    private final AtomicLong admissionRejections = new AtomicLong();
    private final LostClaims lostClaims = new LostClaims();
    private volatile ClusterStore.Totals totals = new ClusterStore.Totals(0, 0);
    private volatile boolean running;
    private boolean startedOnce;
    /** Runs {@link #poll()}. */
    private @Nullable Thread poller;

    ClusterBatchEngine(
            FailfastProperties properties,
            BatchStore store,
            ClusterStore cluster,
            NodeLease lease,
            List<BatchEventListener> listeners,
            JobHandlers handlers,
            JsonMapper jsonMapper,
            DataSource dataSource,
            @Qualifier("failfastJobExecutor") TaskExecutor executor,
            @Qualifier("failfastTimerScheduler") TaskScheduler scheduler,
            Clock clock,
            ApplicationEventPublisher applicationEvents) {
        this.store = store;
        this.cluster = cluster;
        this.lease = lease;
        this.clock = clock;
        this.properties = properties;
        this.applicationEvents = applicationEvents;
        this.events = new BatchEvents(listeners.stream().filter(l -> !l.followsWholeCluster()).toList());
        var limits = properties.limits();
        this.validator = new BatchValidator(handlers, limits.maxJobsPerBatch());
        var settings = properties.cluster();
        var runner = new AttemptRunner(handlers, jsonMapper, limits.maxResultSize().toBytes());
        this.worker = new ClusterWorker(new ClusterWorker.Setup(lease.node(), cluster, runner, executor, scheduler,
                clock, properties.engine().cancelGrace(), properties.executor().poolSize(), settings.claimSize(),
                settings.pollInterval()), this::committed);
        this.causes = new CauseListener(dataSource, settings.pollInterval(), worker::cancelled, worker::wake);
    }

    // ---- API ------------------------------------------------------------------------------------

    @Override
    public Batch submit(BatchSpec spec) {
        return start(spec, null);
    }

    @Override
    public Submission submit(BatchSpec spec, IdempotencyKey key) {
        return IdempotentSubmission.submit(store, key, () -> start(spec, key));
    }

    /**
     * Stores the batch and tells the replicas. A batch accepted while this replica stops is kept:
     * the other replicas run it.
     */
    private Batch start(BatchSpec spec, @Nullable IdempotencyKey key) {
        if (!running) {
            throw new EngineUnavailableException("The service is shutting down and accepts no new batches");
        }
        validator.validate(spec);
        admit(spec.jobs().size());
        var batch = new Batch(ids.generate(), spec, BatchState.QUEUED, clock.instant(), null, null,
                JobCounts.allPending(spec.jobs().size()), null);
        store.create(batch, spec.jobs().stream().map(Job::pending).toList(), key);
        synchronized (eventOrder) {
            events.submitted(batch);
        }
        cluster.announceWork();
        worker.wake();
        log.info("Batch {} submitted: {} jobs, policy {}, parallelism {}", batch.id(), spec.jobs().size(),
                spec.failurePolicy(), spec.maxParallelism());
        return batch;
    }

    /** The limit holds over the whole cluster, read at each submission (two at once may both pass). */
    private void admit(int jobs) {
        var limits = properties.limits();
        long pending = cluster.totals().pendingJobs();
        if (pending + jobs > limits.maxPendingJobs()) {
            admissionRejections.incrementAndGet();
            throw new AdmissionRejectedException("%d jobs are waiting to run; %d more would exceed the limit of %d"
                    .formatted(pending, jobs, limits.maxPendingJobs()), limits.retryAfter());
        }
    }

    @Override
    public Batch cancel(UUID id, @Nullable String reason) {
        var result = recordCause(id, CancellationCause.of(CauseType.USER_REQUESTED, "Cancelled by a client", reason,
                clock.instant())).orElseThrow(() -> new BatchNotFoundException(id));
        Batch batch = result.batch();
        if (!result.causeRecorded() && batch.state().isTerminal()) {
            throw new BatchStateConflictException(id, batch.state(), "a finished batch cannot be cancelled");
        }
        return batch;
    }

    /** Records a cause on a batch (the first cause wins); empty if there is no such batch. */
    private Optional<BatchChange.Result> recordCause(UUID id, CancellationCause cause) {
        var result = cluster.change(id, locked -> {
            var change = new BatchChange(locked, cause.requestedAt());
            change.recordCause(cause);
            return change.commit();
        });
        result.ifPresent(r -> {
            committed(r);
            if (r.causeRecorded()) {
                worker.cancelled(id);
            }
        });
        return result;
    }

    @Override
    public Batch find(UUID id) {
        return store.findBatch(id).orElseThrow(() -> new BatchNotFoundException(id));
    }

    @Override
    public void delete(UUID id) {
        Batch batch = find(id);
        if (!batch.state().isTerminal()) {
            throw new BatchStateConflictException(id, batch.state(), "cancel it and wait until it is terminal first");
        }
        if (!store.delete(id)) {
            throw new BatchNotFoundException(id);
        }
    }

    /** Over the whole cluster, as of the last poll. */
    @Override
    public int activeBatches() {
        return totals.batches();
    }

    /** Over the whole cluster, as of the last poll. */
    @Override
    public long pendingJobs() {
        return totals.pendingJobs();
    }

    /** Jobs this replica claimed and has not settled yet, including those waiting out a retry backoff. */
    @Override
    public int attemptsInFlight() {
        return worker.heldJobs();
    }

    @Override
    public long admissionRejections() {
        return admissionRejections.get();
    }

    @Override
    public boolean isAccepting() {
        return running;
    }

    // ---- the poll -------------------------------------------------------------------------------

    /**
     * Every poll interval: catches causes whose notice was missed, settles the jobs of replicas
     * whose lease expired, fires deadlines, refreshes the cluster-wide gauges, and looks for jobs.
     */
    void poll() {
        cluster.withCause(worker.localBatches()).forEach(worker::cancelled);
        settleLostReplicas();
        putBackLostClaims();
        Instant now = clock.instant();
        for (Batch batch : cluster.activeWithDeadline()) {
            Duration deadline = batch.spec().deadline();
            if (deadline != null && !batch.createdAt().plus(deadline).isAfter(now)) {
                deadlinePassed(batch.id(), deadline);
            }
        }
        totals = cluster.totals();
        worker.wake();
    }

    private void settleLostReplicas() {
        Instant now = clock.instant();
        for (String node : cluster.lostOwners(now)) {
            for (UUID batchId : cluster.batchesRunningOn(node)) {
                cluster.change(batchId, locked -> {
                    var change = new BatchChange(locked, now);
                    change.ownerLost(node, properties.recovery().mode());
                    return change.commit();
                }).ifPresent(result -> {
                    log.warn("Replica {} stopped renewing its lease: its jobs of batch {} settled ({}), {}", node,
                            batchId, properties.recovery().mode(), result.batch().counts());
                    committed(result);
                });
            }
        }
        cluster.deleteExpiredNodes(now);
    }

    /** Jobs claimed here whose claim this replica never learned of: claimed again, by any replica. */
    private void putBackLostClaims() {
        Set<ClusterStore.JobKey> owned = Set.copyOf(cluster.runningJobsOwnedBy(lease.node()));
        Set<ClusterStore.JobKey> lost = lostClaims.lost(owned, worker.heldJobKeys());
        Instant now = clock.instant();
        lost.stream().collect(Collectors.groupingBy(ClusterStore.JobKey::batchId,
                Collectors.mapping(ClusterStore.JobKey::jobId, Collectors.toList()))).forEach((batchId, jobIds) ->
                cluster.change(batchId, locked -> {
                    var change = new BatchChange(locked, now);
                    change.claimsLost(jobIds, lease.node());
                    return change.commit();
                }).ifPresent(result -> {
                    log.warn("Batch {}: {} jobs claimed here that this replica never learned of are pending again: {}",
                            batchId, jobIds.size(), jobIds);
                    committed(result);
                }));
    }

    private void deadlinePassed(UUID batchId, Duration deadline) {
        try {
            recordCause(batchId, CancellationCause.of(CauseType.DEADLINE_EXCEEDED,
                    "Deadline of " + deadline + " exceeded", null, clock.instant()));
        } catch (DataAccessException e) {
            log.warn("Recording the deadline of batch {} failed; the next poll tries again", batchId, e);
        }
    }

    /** Serialised: the claimer, the settler and request threads all report changes, of the same batches too. */
    private void committed(BatchChange.Result result) {
        synchronized (eventOrder) {
            events.changed(result.batch(), result.changedJobs(), result.previousState());
        }
    }

    // ---- life cycle -----------------------------------------------------------------------------

    /**
     * Joins the cluster: registers this replica's lease, listens for causes, starts claiming.
     *
     * @throws dev.failfast.store.InstanceLeaseHeldException when a single instance uses the database
     */
    @Override
    public void start() {
        if (running) {
            return;
        }
        lease.acquire();
        causes.start();
        worker.start();
        Duration interval = properties.cluster().pollInterval();
        poller = PollingThread.start("failfast-cluster-poll", interval, this::poll);
        if (startedOnce) {
            AvailabilityChangeEvent.publish(applicationEvents, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
        startedOnce = true;
        running = true;
        log.info("Cluster node {} started: claiming up to {} jobs at a time, polling every {}", lease.node(),
                properties.cluster().claimSize(), interval);
    }

    @Override
    public void stop() {
        running = false;
        AvailabilityChangeEvent.publish(applicationEvents, this, ReadinessState.REFUSING_TRAFFIC);
        worker.stopClaiming();
        try {
            Duration drain = properties.shutdown().drainTimeout();
            if (!worker.awaitIdle(drain)) {
                log.info("Drain timeout: {} jobs still running here; their batches are cancelled", worker.heldJobs());
                for (UUID batchId : worker.localBatches()) {
                    recordCause(batchId, CancellationCause.of(CauseType.SHUTDOWN,
                            "The replica " + lease.node() + " running jobs of the batch is shutting down", null,
                            clock.instant()));
                }
                if (!worker.awaitIdle(properties.engine().cancelGrace().plusSeconds(2))) {
                    log.warn("{} jobs still held at shutdown; the other replicas settle them when this lease expires",
                            worker.heldJobs());
                }
            }
            worker.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (poller != null) {
                poller.interrupt();
            }
            causes.stop();
            if (worker.heldJobs() == 0) {
                lease.release();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown, so event streams end and requests finish. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
